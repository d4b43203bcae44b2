/**
 * Checkpoint codec: a {@link Checkpoint} (spec + named tensors + metadata) ⇄ two files,
 * `manifest.json` (text) and `weights.bin` (bytes). Isomorphic; the Node file I/O lives in
 * `@interpret-fr/core/node`.
 *
 * `weights.bin` is the tensors concatenated in manifest order, little-endian, each starting at a
 * multiple of 8 bytes (zero padding between). `manifest.json` is a {@link CheckpointManifest}:
 * format tag, version, the spec, free metadata, per tensor `{name, shape, dtype, offset,
 * byteLength}`, the total `weightsByteLength`, `weightsSha256` (SHA-256 of `weights.bin`) and
 * `sha256`: the SHA-256 of the canonical JSON ({@link canonicalJson}) of every other manifest
 * field. Since that includes `weightsSha256`, `sha256` covers the architecture, the layout, the
 * metadata and the weights together: editing any of them (an `elu` made `relu`, a stride, a BN ε,
 * a tensor offset…) is refused, while reformatting the JSON is not a change.
 *
 * Version 1 manifests (written before version 2) carry only `sha256` = the hash of `weights.bin`.
 * They are still read, with {@link Checkpoint.integrity} `scope: 'weights-only'`, so readers can
 * warn that an edited architecture would go unnoticed; re-saving writes version 2.
 *
 * Canonical order: the spec's parameters first, in {@link paramInfos} order, then any extra
 * tensors. The decoder insists on it, so swapping two same-shaped entries in the manifest (or
 * two tensors in the bin, caught by the hash) is an error, never a silently wrong model.
 *
 * @module
 */
import { canonicalJson } from './canonical-json.ts';
import { InterpretFrError } from './errors.ts';
import { sha256Hex } from './sha256.ts';
import type { ModelSpec, ParamInfo } from './spec.ts';
import { paramInfos, SpecError } from './spec.ts';

/** Element type of a stored tensor. */
export type DType = 'float32' | 'int32' | 'uint8';

/** One named tensor; `data.length` equals the product of `shape`. */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: DType;
  data: Float32Array | Int32Array | Uint8Array;
}

/** A model's parameters together with the spec that gives them meaning. */
export interface Checkpoint {
  spec: ModelSpec;
  tensors: TensorEntry[];
  /** Free JSON metadata (run id, step, config digest…). */
  meta: Record<string, unknown>;
  /** Set by {@link decodeCheckpoint}: what the verified hashes were (ignored by the encoder). */
  integrity?: CheckpointIntegrity;
}

/** What a decoded checkpoint's hashes covered. */
export interface CheckpointIntegrity {
  /** Manifest version read (1 = legacy, weights-only hash). */
  version: 1 | 2;
  /** `manifest-and-weights` (version 2), or `weights-only` (version 1: the architecture was not covered). */
  scope: 'manifest-and-weights' | 'weights-only';
  /** The checkpoint's identity: version 2 = hash of manifest + weights; version 1 = hash of the weights. */
  sha256: string;
  /** SHA-256 of `weights.bin`. */
  weightsSha256: string;
}

/** A tensor's record in `manifest.json`. */
export interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: DType;
  /** Byte offset into `weights.bin` (multiple of 8). */
  offset: number;
  byteLength: number;
}

/** The parsed `manifest.json`. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION | typeof CHECKPOINT_LEGACY_VERSION;
  spec: ModelSpec;
  meta: Record<string, unknown>;
  tensors: ManifestTensor[];
  weightsByteLength: number;
  /** SHA-256 of `weights.bin`, lower-case hex (version 2; version 1 has only `sha256`). */
  weightsSha256?: string;
  /**
   * Version 2: SHA-256 of the canonical JSON of all the other fields (so of the architecture and,
   * through `weightsSha256`, of the weights). Version 1: SHA-256 of `weights.bin`. Lower-case hex.
   */
  sha256: string;
}

/** `format` field of every manifest. */
export const CHECKPOINT_FORMAT = 'interpret-fr-checkpoint';
/** Manifest version this codec writes (it also reads the legacy version 1). */
export const CHECKPOINT_VERSION = 2;
/** The legacy version still read: its hash covers `weights.bin` only. */
export const CHECKPOINT_LEGACY_VERSION = 1;
/** Name of the manifest file inside a checkpoint directory. */
export const MANIFEST_FILE = 'manifest.json';
/** Name of the weights file inside a checkpoint directory. */
export const WEIGHTS_FILE = 'weights.bin';

const ALIGN = 8;
const BYTES: Record<DType, number> = { float32: 4, int32: 4, uint8: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Why a checkpoint was refused. */
export type CheckpointErrorReason =
  | 'json'
  | 'format'
  | 'version'
  | 'spec'
  | 'field'
  | 'duplicate'
  | 'order'
  | 'layout'
  | 'size'
  | 'truncated'
  | 'hash'
  | 'shape'
  | 'dtype'
  | 'unknown'
  | 'missing'
  | 'io';

/** A checkpoint that cannot be encoded or decoded; `file` is the file at fault, when one is. */
export class CheckpointError extends InterpretFrError {
  constructor(
    message: string,
    readonly reason: CheckpointErrorReason,
    override readonly file: typeof MANIFEST_FILE | typeof WEIGHTS_FILE | null = null,
  ) {
    super(message, { code: reason === 'hash' || reason === 'size' || reason === 'truncated' ? 'integrity' : reason === 'io' ? 'io' : 'checkpoint' });
    this.name = 'CheckpointError';
  }
}

function err(reason: CheckpointErrorReason, file: CheckpointError['file'], msg: string): never {
  throw new CheckpointError(msg, reason, file);
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const isDType = (d: unknown): d is DType => d === 'float32' || d === 'int32' || d === 'uint8';
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function dtypeOf(data: unknown): DType | null {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  return null;
}

function checkSpec(spec: ModelSpec, file: CheckpointError['file']): ParamInfo[] {
  try {
    return paramInfos(spec);
  } catch (e) {
    if (e instanceof SpecError) err('spec', file, `${file ?? 'checkpoint'}: invalid spec: ${e.message}`);
    throw e;
  }
}

/**
 * Checks names, dtypes, shapes and order of a tensor list against the spec's parameters.
 * `where(i)` describes tensor i for messages.
 */
function checkTensorList(infos: ParamInfo[], list: readonly { name: string; shape: number[]; dtype: DType }[], file: CheckpointError['file'], where: (i: number) => string): void {
  const byName = new Map(infos.map((p, i) => [p.name, { p, i }]));
  const seen = new Set<string>();
  let lastParam = -1;
  let extraSeen: string | null = null;
  list.forEach((t, i) => {
    if (seen.has(t.name)) err('duplicate', file, `${where(i)}: duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    const hit = byName.get(t.name);
    if (!hit) {
      extraSeen ??= t.name;
      return;
    }
    const want = hit.p.shape;
    if (t.shape.length !== want.length || t.shape.some((d, j) => d !== want[j])) {
      err('shape', file, `${where(i)}: tensor "${t.name}" has shape [${t.shape.join(', ')}] but the spec needs [${want.join(', ')}]`);
    }
    if (t.dtype !== 'float32') err('dtype', file, `${where(i)}: parameter "${t.name}" has dtype ${t.dtype}, expected float32`);
    if (extraSeen !== null) err('order', file, `${where(i)}: parameter "${t.name}" comes after the non-parameter tensor "${extraSeen}"; parameters must come first`);
    if (hit.i < lastParam) {
      err('order', file, `${where(i)}: parameter "${t.name}" is out of order: parameters must follow paramInfos(spec) order ("${infos[lastParam]!.name}" came before it)`);
    }
    lastParam = hit.i;
  });
}

/** Canonical order: spec parameters in {@link paramInfos} order, then the rest as given. */
function canonicalOrder(infos: ParamInfo[], tensors: readonly TensorEntry[]): TensorEntry[] {
  const rank = new Map(infos.map((p, i) => [p.name, i]));
  const params = tensors.filter((t) => rank.has(t.name)).sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
  return [...params, ...tensors.filter((t) => !rank.has(t.name))];
}

/**
 * Encodes a checkpoint into the text of `manifest.json` and the bytes of `weights.bin`.
 * Validates the spec and every tensor first (throws {@link CheckpointError}); parameters are
 * written in canonical order whatever the order of `ck.tensors`.
 *
 * @example
 * const { manifest, weights } = encodeCheckpoint({ spec, tensors, meta: { step: 1000 } });
 */
export function encodeCheckpoint(ck: Checkpoint): { manifest: string; weights: Uint8Array } {
  const infos = checkSpec(ck.spec, null);
  if (!Array.isArray(ck.tensors)) err('field', null, 'checkpoint.tensors: expected an array');
  if (typeof ck.meta !== 'object' || ck.meta === null || Array.isArray(ck.meta)) err('field', null, 'checkpoint.meta: expected a JSON object');
  ck.tensors.forEach((t, i) => {
    const at = `tensor ${i} ("${String(t?.name)}")`;
    if (typeof t?.name !== 'string' || t.name === '') err('field', null, `tensor ${i}: name must be a non-empty string`);
    if (!isDType(t.dtype)) err('dtype', null, `${at}: unknown dtype ${JSON.stringify(t.dtype)}`);
    if (dtypeOf(t.data) !== t.dtype) err('dtype', null, `${at}: dtype ${t.dtype} but data is ${t.data?.constructor?.name ?? typeof t.data}`);
    if (!Array.isArray(t.shape) || !t.shape.every(isNat)) err('shape', null, `${at}: shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    if (t.data.length !== numel(t.shape)) err('size', null, `${at}: shape [${t.shape.join(', ')}] needs ${numel(t.shape)} values, data has ${t.data.length}`);
  });
  const tensors = canonicalOrder(infos, ck.tensors);
  checkTensorList(infos, tensors, null, (i) => `tensor "${tensors[i]!.name}"`);
  const entries: ManifestTensor[] = [];
  let end = 0;
  for (const t of tensors) {
    const offset = align(end);
    const byteLength = t.data.length * BYTES[t.dtype];
    entries.push({ name: t.name, shape: [...t.shape], dtype: t.dtype, offset, byteLength });
    end = offset + byteLength;
  }
  const weights = new Uint8Array(end);
  tensors.forEach((t, i) => {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, entries[i]!.byteLength);
    weights.set(src, entries[i]!.offset);
    if (!LITTLE_ENDIAN && BYTES[t.dtype] === 4) swap32(weights, entries[i]!.offset, entries[i]!.byteLength);
  });
  const unsealed: Omit<CheckpointManifest, 'sha256'> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    spec: ck.spec,
    meta: ck.meta,
    tensors: entries,
    weightsByteLength: end,
    weightsSha256: sha256Hex(weights),
  };
  let manifest: CheckpointManifest;
  try {
    manifest = sealManifest(unsealed);
  } catch (e) {
    // Non-finite numbers or undefined in spec/meta would not survive JSON.
    err('field', null, `checkpoint: spec or meta is not plain JSON (${(e as Error).message})`);
  }
  return { manifest: `${JSON.stringify(manifest, null, 2)}\n`, weights };
}

/**
 * SHA-256 (hex) of the canonical JSON of a manifest without its `sha256` field: the version 2
 * `sha256`. Exposed for tools that edit a manifest on purpose (tests, migrations) and must re-seal it.
 */
export function manifestDigest(m: Omit<CheckpointManifest, 'sha256'> & { sha256?: unknown }): string {
  const { sha256: _drop, ...rest } = m;
  return sha256Hex(new TextEncoder().encode(canonicalJson(rest)));
}

/**
 * Returns a copy of a manifest with `version` 2 and its `sha256` recomputed by
 * {@link manifestDigest}. A manifest sealed this way is accepted by {@link parseManifest} if its
 * content is valid: use it only for deliberate edits (tests, migrations of version 1 files).
 */
export function sealManifest(m: Omit<CheckpointManifest, 'sha256'> & { sha256?: unknown }): CheckpointManifest {
  const { sha256: _drop, ...rest } = m;
  const out = { ...rest, version: CHECKPOINT_VERSION } as Omit<CheckpointManifest, 'sha256'>;
  return { ...out, sha256: manifestDigest(out) };
}

function swap32(b: Uint8Array, off: number, len: number): void {
  for (let i = off; i < off + len; i += 4) {
    const a = b[i]!,
      c = b[i + 1]!;
    b[i] = b[i + 3]!;
    b[i + 1] = b[i + 2]!;
    b[i + 2] = c;
    b[i + 3] = a;
  }
}

/**
 * Parses and checks `manifest.json` on its own: JSON, format, version, spec, tensor records,
 * layout (aligned, in range, in order, non-overlapping), names and shapes against the spec.
 * Throws {@link CheckpointError}.
 */
export function parseManifest(text: string): CheckpointManifest {
  const F = MANIFEST_FILE;
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    err('json', F, `${F}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) err('json', F, `${F}: expected a JSON object`);
  if (m.format !== CHECKPOINT_FORMAT) err('format', F, `${F}: format is ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (m.version !== CHECKPOINT_VERSION && m.version !== CHECKPOINT_LEGACY_VERSION) {
    err('version', F, `${F}: version ${JSON.stringify(m.version)} is not supported (this reader knows versions ${CHECKPOINT_LEGACY_VERSION} and ${CHECKPOINT_VERSION})`);
  }
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) err('field', F, `${F}: "sha256" must be 64 lower-case hex digits, got ${JSON.stringify(m.sha256)}`);
  if (m.version === CHECKPOINT_VERSION) {
    let digest: string;
    try {
      digest = manifestDigest(m);
    } catch (e) {
      err('field', F, `${F}: ${(e as Error).message}`);
    }
    if (digest !== m.sha256) {
      err(
        'hash',
        F,
        `${F}: SHA-256 mismatch: the manifest was edited or corrupted after it was saved (its architecture, layout or metadata no longer match "sha256"): expected ${m.sha256}, got ${digest}`,
      );
    }
    if (typeof m.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weightsSha256))
      err('field', F, `${F}: "weightsSha256" must be 64 lower-case hex digits, got ${JSON.stringify(m.weightsSha256)}`);
  } else if ('weightsSha256' in m) {
    err('field', F, `${F}: version 1 manifests have no "weightsSha256" (a version 2 manifest with a damaged version number?)`);
  }
  const infos = checkSpec(m.spec, F);
  if (typeof m.meta !== 'object' || m.meta === null || Array.isArray(m.meta)) err('field', F, `${F}: "meta" must be a JSON object`);
  if (!isNat(m.weightsByteLength)) err('field', F, `${F}: "weightsByteLength" must be a non-negative integer, got ${JSON.stringify(m.weightsByteLength)}`);
  if (!Array.isArray(m.tensors)) err('field', F, `${F}: "tensors" must be an array`);
  const at = (i: number): string => `${F}: tensors[${i}] ("${String(m.tensors[i]?.name)}")`;
  let end = 0;
  m.tensors.forEach((t, i) => {
    if (typeof t !== 'object' || t === null) err('field', F, `${F}: tensors[${i}] must be an object`);
    if (typeof t.name !== 'string' || t.name === '') err('field', F, `${F}: tensors[${i}].name must be a non-empty string`);
    if (!isDType(t.dtype)) err('dtype', F, `${at(i)}: unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every(isNat)) err('shape', F, `${at(i)}: shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    if (!isNat(t.offset) || !isNat(t.byteLength))
      err('layout', F, `${at(i)}: offset and byteLength must be non-negative integers, got ${JSON.stringify(t.offset)}, ${JSON.stringify(t.byteLength)}`);
    const want = numel(t.shape) * BYTES[t.dtype];
    if (t.byteLength !== want) err('size', F, `${at(i)}: byteLength ${t.byteLength} but shape [${t.shape.join(', ')}] × ${t.dtype} is ${want} bytes`);
    if (t.offset % ALIGN !== 0) err('layout', F, `${at(i)}: offset ${t.offset} is not a multiple of ${ALIGN}`);
    if (t.offset < end) {
      err('order', F, `${at(i)}: offset ${t.offset} overlaps or precedes the previous tensor (which ends at byte ${end}); tensors must be stored in manifest order`);
    }
    end = t.offset + t.byteLength;
    if (end > m.weightsByteLength) err('layout', F, `${at(i)}: bytes [${t.offset}, ${end}) exceed weightsByteLength ${m.weightsByteLength}`);
  });
  checkTensorList(infos, m.tensors, F, at);
  return m;
}

/** Options of {@link decodeCheckpoint}. */
export interface DecodeOptions {
  /**
   * Copy `weights` into a fresh buffer first (default true), so the tensors never alias the
   * caller's bytes. With false, tensors view `weights` directly when it is 8-byte aligned.
   */
  copy?: boolean;
}

/**
 * Decodes `manifest.json` text and `weights.bin` bytes. Every check of {@link parseManifest}, plus
 * the byte length (a truncated file says how many bytes were expected and found) and the
 * SHA-256. Tensors are typed-array views into one aligned copy of `weights` (no per-element copy).
 * Throws {@link CheckpointError}; never returns a partly valid checkpoint.
 *
 * @example
 * const ck = decodeCheckpoint(manifestText, weightsBytes);
 * const params = paramsFromCheckpoint(ck); // Map name → Float32Array
 */
export function decodeCheckpoint(manifestText: string, weights: Uint8Array, opts: DecodeOptions = {}): Checkpoint {
  if (typeof manifestText !== 'string') err('field', MANIFEST_FILE, `${MANIFEST_FILE}: expected its text (a string), got ${typeof manifestText}`);
  if (!(weights instanceof Uint8Array))
    err('field', WEIGHTS_FILE, `${WEIGHTS_FILE}: expected a Uint8Array of its bytes, got ${(weights as object)?.constructor?.name ?? typeof weights}`);
  const m = parseManifest(manifestText);
  const W = WEIGHTS_FILE;
  if (weights.length !== m.weightsByteLength) {
    const what = weights.length < m.weightsByteLength ? 'truncated' : 'too long';
    err(weights.length < m.weightsByteLength ? 'truncated' : 'size', W, `${W}: ${what}: ${MANIFEST_FILE} expects ${m.weightsByteLength} bytes, got ${weights.length}`);
  }
  const hash = sha256Hex(weights);
  const legacy = m.version === CHECKPOINT_LEGACY_VERSION;
  const wantWeights = legacy ? m.sha256 : m.weightsSha256!;
  if (hash !== wantWeights) err('hash', W, `${W}: SHA-256 mismatch (corrupt or not the weights of this manifest): expected ${wantWeights}, got ${hash}`);
  const integrity: CheckpointIntegrity = legacy
    ? { version: 1, scope: 'weights-only', sha256: m.sha256, weightsSha256: hash }
    : { version: 2, scope: 'manifest-and-weights', sha256: m.sha256, weightsSha256: hash };
  const aligned = opts.copy === false && weights.byteOffset % ALIGN === 0 && LITTLE_ENDIAN;
  // `new Uint8Array(x)` always copies (Buffer#slice would return a view).
  const bytes = aligned ? weights : new Uint8Array(weights);
  const tensors: TensorEntry[] = m.tensors.map((t) => {
    const count = t.byteLength / BYTES[t.dtype];
    const at = bytes.byteOffset + t.offset;
    if (!LITTLE_ENDIAN && BYTES[t.dtype] === 4) swap32(bytes, t.offset, t.byteLength);
    const data =
      t.dtype === 'float32' ? new Float32Array(bytes.buffer, at, count) : t.dtype === 'int32' ? new Int32Array(bytes.buffer, at, count) : new Uint8Array(bytes.buffer, at, count);
    return { name: t.name, shape: t.shape, dtype: t.dtype, data };
  });
  return { spec: m.spec, tensors, meta: m.meta, integrity };
}

/**
 * The first non-finite value (NaN, ±Infinity) among the float32 tensors, as `{ name, index,
 * value }`, or null when all are finite. The codec stores such values faithfully; a trainer or
 * exporter that must not start from them checks with this.
 */
export function firstNonFinite(tensors: readonly TensorEntry[]): { name: string; index: number; value: number } | null {
  for (const t of tensors) {
    if (t.dtype !== 'float32') continue;
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v - v !== 0) return { name: t.name, index: i, value: v };
    }
  }
  return null;
}

/** Message a reader shows (as a warning) for a version 1 checkpoint; `where` names the manifest. */
export function legacyCheckpointWarning(where: string): string {
  return `${where}: version 1 checkpoint: its SHA-256 covers ${WEIGHTS_FILE} only, so an edited architecture would not be detected; loading it anyway (re-save it to get a version 2 manifest)`;
}
