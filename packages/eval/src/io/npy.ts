/**
 * NumPy `.npy` (format 1.0/2.0/3.0) reader and writer for float32 matrices: dtype `'<f4'`,
 * `fortran_order: False`, shape (N, D). Anything else is an {@link NpyError} saying what was found.
 *
 * @module
 */

import { InterpretFrError } from '@interpret-fr/core/errors';

/** A malformed or unsupported `.npy` file. */
export class NpyError extends InterpretFrError {
  constructor(
    override readonly file: string,
    message: string,
  ) {
    super(message, { code: 'format', file });
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The shape and data offset of an N × D float32 C-order `.npy`, from its first bytes (at least the whole header). */
export function npyHeader(bytes: Uint8Array, file = '<npy>'): { n: number; dim: number; offset: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(file, 'not a .npy file (magic \\x93NUMPY missing)');
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(file, `header length runs past the end of the file (${bytes.length} bytes)`);
    hlen = dv.getUint32(8, true);
    start = 12;
  } else throw new NpyError(file, `unsupported .npy version ${major}.${bytes[7]}`);
  if (start + hlen > bytes.length) throw new NpyError(file, `header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeTxt = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeTxt === undefined) throw new NpyError(file, `header '${header.trim()}' lacks descr, fortran_order or shape`);
  if (descr !== '<f4' && descr !== '=f4' && descr !== 'f4') throw new NpyError(file, `dtype '${descr}', expected '<f4' (little-endian float32)`);
  if (fortran !== 'False') throw new NpyError(file, 'fortran_order is True, expected False (C order)');
  const dims = shapeTxt
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map(Number);
  if (dims.length < 1 || dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(file, `shape (${shapeTxt}), expected (N, D) or (N,)`);
  return { n: dims[0]!, dim: dims[1] ?? 1, offset: start + hlen };
}

/** The bytes of data the shape (n, dim) needs; an {@link NpyError} when `have` bytes follow the header instead. */
export function npyDataBytes(have: number, n: number, dim: number, file = '<npy>'): number {
  const need = n * dim * 4;
  if (have !== need) throw new NpyError(file, `data has ${have} bytes, shape (${n}, ${dim}) float32 needs ${need}`);
  return need;
}

/** Refuses a non-finite value, naming its row and column. */
export function checkNpyFinite(data: Float32Array, dim: number, file = '<npy>'): void {
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new NpyError(file, `row ${Math.floor(bad / dim)} (0-based), column ${bad % dim} is ${data[bad]}: features must be finite`);
}

/**
 * Parses an N × D float32 C-order `.npy` (a 1-D array reads as N × 1). Copies into an aligned array (in a
 * SharedArrayBuffer with `shared`, e.g. for worker threads to read without another copy).
 */
export function decodeNpy(bytes: Uint8Array, file = '<npy>', opts: { shared?: boolean } = {}): { data: Float32Array; n: number; dim: number } {
  const { n, dim, offset } = npyHeader(bytes, file);
  const need = npyDataBytes(bytes.length - offset, n, dim, file);
  const data = opts.shared ? new Float32Array(new SharedArrayBuffer(need)) : new Float32Array(n * dim);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + need));
  checkNpyFinite(data, dim, file);
  return { data, n, dim };
}

/** Index of the first NaN or ±Infinity value, or −1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  // v·0 is ±0 for finite v and NaN for NaN and ±Infinity: a chunk's four running sums stay 0 unless the
  // chunk holds a non-finite value (no branch per value), and only such a chunk is scanned value by value.
  const n = data.length;
  const CHUNK = 1024;
  for (let c = 0; c < n; c += CHUNK) {
    const e = Math.min(n, c + CHUNK);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = c;
    for (; i + 3 < e; i += 4) {
      s0 += data[i]! * 0;
      s1 += data[i + 1]! * 0;
      s2 += data[i + 2]! * 0;
      s3 += data[i + 3]! * 0;
    }
    for (; i < e; i++) s0 += data[i]! * 0;
    if (s0 + s1 + s2 + s3 === 0) continue;
    for (let k = c; k < e; k++) {
      const v = data[k]!;
      if (v - v !== 0) return k;
    }
  }
  return -1;
}

/** Encodes an N × D float32 matrix as `.npy` version 1.0 (header padded to 64 bytes). */
export function encodeNpy(data: Float32Array, n: number, dim: number): Uint8Array {
  if (data.length !== n * dim) throw new RangeError(`encodeNpy: ${data.length} values for shape (${n}, ${dim})`);
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new RangeError(`encodeNpy: row ${Math.floor(bad / dim)}, column ${bad % dim} is ${data[bad]}; refusing to write non-finite features`);
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${dim}), }`;
  const total = 10 + h.length + 1;
  h += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + h.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + h.length);
  return out;
}

/** Parses an ids file: one id per line, trimmed; blank trailing lines ignored; blank inner lines are errors. */
export function parseIds(text: string, file = '<ids>'): string[] {
  const ls = text.split(/\r?\n/);
  while (ls.length && ls[ls.length - 1]!.trim() === '') ls.pop();
  ls.forEach((l, i) => {
    if (l.trim() === '') throw new NpyError(file, `line ${i + 1} is empty, expected an id`);
  });
  return ls.map((l) => l.trim());
}
