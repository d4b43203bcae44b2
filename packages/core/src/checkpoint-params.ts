/**
 * Helpers between a {@link Checkpoint} and the plain `name → Float32Array` parameter map the
 * trainer and the exporter work with, plus an order-independent checksum of parameter values.
 *
 * @module
 */
import type { Checkpoint, TensorEntry } from './checkpoint.ts';
import { CheckpointError } from './checkpoint.ts';
import { Sha256, toHex } from './sha256.ts';
import type { ModelSpec } from './spec.ts';
import { paramInfos } from './spec.ts';

/** A parameter map: `paramInfos(spec)` names → flat row-major values. */
export type ParamMap = ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>;

function entriesOf(params: ParamMap): [string, Float32Array][] {
  return params instanceof Map ? [...params.entries()] : Object.entries(params as Record<string, Float32Array>);
}

/** Options of {@link checkpointFromParams}. */
export interface FromParamsOptions {
  /** Allow some of the spec's parameters to be absent (default false: all are required). */
  partial?: boolean;
}

/**
 * Builds a {@link Checkpoint} from a parameter map, in canonical order, without copying the
 * arrays. Every name must be a parameter of the spec with the right number of values; unless
 * `partial`, every parameter of the spec must be present. Throws {@link CheckpointError}.
 *
 * @example
 * const ck = checkpointFromParams(spec, params, { step: 1000 });
 * const { manifest, weights } = encodeCheckpoint(ck);
 */
export function checkpointFromParams(spec: ModelSpec, params: ParamMap, meta: Record<string, unknown> = {}, opts: FromParamsOptions = {}): Checkpoint {
  const infos = paramInfos(spec);
  const given = new Map(entriesOf(params));
  const known = new Set(infos.map((p) => p.name));
  for (const [name, data] of given) {
    if (!known.has(name)) throw new CheckpointError(`parameter "${name}" is not a parameter of spec "${spec.name}"`, 'unknown');
    if (!(data instanceof Float32Array))
      throw new CheckpointError(`parameter "${name}": expected a Float32Array, got ${(data as object)?.constructor?.name ?? typeof data}`, 'dtype');
  }
  const tensors: TensorEntry[] = [];
  const missing: string[] = [];
  for (const p of infos) {
    const data = given.get(p.name);
    if (!data) {
      missing.push(p.name);
      continue;
    }
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new CheckpointError(`parameter "${p.name}": shape [${p.shape.join(', ')}] needs ${n} values, got ${data.length}`, 'size');
    tensors.push({ name: p.name, shape: [...p.shape], dtype: 'float32', data });
  }
  if (missing.length > 0 && !opts.partial) {
    throw new CheckpointError(`${missing.length} parameter(s) of spec "${spec.name}" missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, 'missing');
  }
  return { spec, tensors, meta };
}

/**
 * The float32 parameters of a checkpoint as a `Map` (views, not copies). Extra non-parameter
 * tensors are left out.
 */
export function paramsFromCheckpoint(ck: Checkpoint): Map<string, Float32Array> {
  const known = new Set(paramInfos(ck.spec).map((p) => p.name));
  const out = new Map<string, Float32Array>();
  for (const t of ck.tensors) if (known.has(t.name) && t.data instanceof Float32Array) out.set(t.name, t.data);
  return out;
}

/** Names of the spec's parameters that the checkpoint lacks, in {@link paramInfos} order. */
export function missingParams(ck: Checkpoint): string[] {
  const have = new Set(ck.tensors.map((t) => t.name));
  return paramInfos(ck.spec)
    .map((p) => p.name)
    .filter((n) => !have.has(n));
}

/**
 * Order-independent SHA-256 (hex) of named tensor values: over the names in code-unit order,
 * for each: UTF-8 name, 0x00, dtype, 0x00, uint32-LE byte length, raw little-endian bytes.
 * Shapes are not hashed, so a `ParamMap` and the checkpoint built from it give the same value.
 * For logs, golden tests and "did these weights change" checks.
 *
 * @example paramsChecksum(paramsFromCheckpoint(ck)) === paramsChecksum(ck.tensors)
 */
export function paramsChecksum(tensors: readonly TensorEntry[] | ParamMap): string {
  const list: { name: string; dtype: string; data: Float32Array | Int32Array | Uint8Array }[] = Array.isArray(tensors)
    ? (tensors as readonly TensorEntry[]).map((t) => ({ name: t.name, dtype: t.dtype, data: t.data }))
    : entriesOf(tensors as ParamMap).map(([name, data]) => ({ name, dtype: 'float32', data }));
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = new Sha256();
  const enc = new TextEncoder();
  const len = new Uint8Array(4);
  const big = new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1;
  for (const t of list) {
    h.update(enc.encode(`${t.name}\0${t.dtype}\0`));
    let bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    new DataView(len.buffer).setUint32(0, bytes.length, true);
    h.update(len);
    if (big && t.data.BYTES_PER_ELEMENT === 4) {
      bytes = bytes.slice();
      for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
    }
    h.update(bytes);
  }
  return toHex(h.digest());
}
