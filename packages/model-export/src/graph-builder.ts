/**
 * A small ONNX graph builder: nodes, initializers, inputs/outputs, serialised with the
 * protobufjs reflection types of {@link ONNX_PROTO_SUBSET}. Insertion order is preserved, so
 * the same calls always produce the same bytes.
 *
 * @module
 */
import { AttrType, DataType, modelProtoType } from './onnx-schema.ts';

/** Attribute value accepted by {@link GraphBuilder.node}. Integers are INT, other numbers FLOAT. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

/** Attribute helpers. */
export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
};

/** Graph input/output declaration: element type FLOAT, dims (numbers or a symbolic name). */
export interface ValueDecl {
  name: string;
  dims: (number | string)[];
}

interface NodeRec {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: object[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(data: Float32Array | BigInt64Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('graph-builder: ONNX raw_data is little-endian; big-endian hosts are not supported');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encodeAttr(name: string, a: Attr): object {
  switch (a.kind) {
    case 'int':
      return { name, type: AttrType.INT, i: a.value };
    case 'float':
      return { name, type: AttrType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttrType.INTS, ints: a.value };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: a.value };
    case 'string':
      return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfo(v: ValueDecl): object {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/** Builds one ONNX graph. */
export class GraphBuilder {
  private readonly nodes: NodeRec[] = [];
  private readonly inits: object[] = [];
  private readonly defined = new Set<string>();
  private readonly nodeNames = new Map<string, number>();
  private readonly consts = new Map<string, string>();
  readonly inputs: ValueDecl[] = [];
  readonly outputs: ValueDecl[] = [];

  /** Declares a float graph input. */
  input(v: ValueDecl): string {
    this.define(v.name);
    this.inputs.push(v);
    return v.name;
  }

  /** Declares a graph output (must be defined by the end). */
  output(v: ValueDecl): void {
    this.outputs.push(v);
  }

  /** Whether a tensor name is already defined (input, initializer or node output). */
  has(name: string): boolean {
    return this.defined.has(name);
  }

  private define(name: string): void {
    if (this.defined.has(name)) throw new Error(`graph-builder: tensor "${name}" is defined twice`);
    this.defined.add(name);
  }

  /** Adds a float32 initializer. */
  float(name: string, dims: number[], data: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`graph-builder: initializer "${name}" dims [${dims}] need ${n} values, got ${data.length}`);
    this.define(name);
    this.inits.push({ name, dims, data_type: DataType.FLOAT, raw_data: bytesOf(data) });
    return name;
  }

  /** Adds an int64 initializer. */
  int64(name: string, dims: number[], values: number[]): string {
    this.define(name);
    this.inits.push({ name, dims, data_type: DataType.INT64, raw_data: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return name;
  }

  /** A shared int64 1-D constant (deduplicated by value), named `const/i64/<values>`. */
  constI64(values: number[]): string {
    const key = `const/i64/${values.join('_')}`;
    if (!this.consts.has(key)) this.consts.set(key, this.int64(key, [values.length], values));
    return key;
  }

  /** A shared float scalar constant (deduplicated by value), named `const/f32/<value>`. */
  constF32(value: number): string {
    const key = `const/f32/${value}`;
    if (!this.consts.has(key)) this.consts.set(key, this.float(key, [], new Float32Array([value])));
    return key;
  }

  /**
   * Adds a node. Empty input names are ONNX's "absent optional input". Returns the outputs.
   * Node names are made unique by suffixing `_1`, `_2`, ….
   */
  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name?: string): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.defined.has(i)) throw new Error(`graph-builder: ${opType} node "${name ?? outputs[0]}" reads undefined tensor "${i}"`);
    }
    outputs.forEach((o) => this.define(o));
    let nodeName = name ?? `${outputs[0]}/${opType}`;
    const seen = this.nodeNames.get(nodeName) ?? 0;
    this.nodeNames.set(nodeName, seen + 1);
    if (seen > 0) nodeName = `${nodeName}_${seen}`;
    const attribute = Object.keys(attrs)
      .sort()
      .map((k) => encodeAttr(k, attrs[k]!));
    this.nodes.push({ input: inputs, output: outputs, name: nodeName, op_type: opType, attribute });
    return outputs;
  }

  /** Serialises a ModelProto. */
  encode(o: { irVersion: number; opset: number; producerName: string; producerVersion: string; graphName: string; docString?: string; metadata: [string, string][] }): Uint8Array {
    for (const v of this.outputs) {
      if (!this.defined.has(v.name)) throw new Error(`graph-builder: graph output "${v.name}" is never produced`);
    }
    const model = {
      ir_version: o.irVersion,
      opset_import: [{ domain: '', version: o.opset }],
      producer_name: o.producerName,
      producer_version: o.producerVersion,
      doc_string: o.docString,
      graph: {
        node: this.nodes,
        name: o.graphName,
        initializer: this.inits,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
      metadata_props: o.metadata.map(([key, value]) => ({ key, value })),
    };
    const t = modelProtoType();
    return t.encode(model as never).finish();
  }
}
