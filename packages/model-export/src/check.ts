/**
 * `checkOnnx`: a structural check of exported bytes (what ORT would reject, with clearer messages).
 *
 * @module
 */
import type { DecodedModel } from './decode.ts';
import { decodeOnnx } from './decode.ts';

/** Result of {@link checkOnnx}: problems found (empty when the graph is well formed). */
export interface CheckResult {
  ok: boolean;
  problems: string[];
  model: DecodedModel;
}

/**
 * Checks: an opset import for the default domain is present; every node input is the graph
 * input, an initializer or an earlier node's output (topological order); no tensor is defined
 * twice; every initializer's dims match its stored element count; every graph output is defined.
 */
export function checkOnnx(bytes: Uint8Array): CheckResult {
  const model = decodeOnnx(bytes);
  const problems: string[] = [];
  if (!model.opsets.some((o) => o.domain === '' && o.version > 0)) problems.push('no opset_import for the default ONNX domain');
  if (model.irVersion <= 0) problems.push('ir_version is missing');
  const defined = new Set<string>();
  const def = (name: string, what: string): void => {
    if (defined.has(name)) problems.push(`${what}: tensor "${name}" is defined twice`);
    defined.add(name);
  };
  for (const i of model.graph.inputs) def(i.name, `graph input`);
  for (const t of model.graph.initializers) {
    def(t.name, 'initializer');
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (t.storedElements !== n) problems.push(`initializer "${t.name}": dims [${t.dims}] need ${n} elements, ${t.storedElements} stored`);
  }
  model.graph.nodes.forEach((node, k) => {
    node.inputs.forEach((i, j) => {
      if (i !== '' && !defined.has(i)) problems.push(`node ${k} "${node.name}" (${node.opType}): input ${j} "${i}" is not defined before it`);
    });
    node.outputs.forEach((o) => def(o, `node ${k} "${node.name}" (${node.opType})`));
  });
  for (const o of model.graph.outputs) if (!defined.has(o.name)) problems.push(`graph output "${o.name}" is never produced`);
  return { ok: problems.length === 0, problems, model };
}
