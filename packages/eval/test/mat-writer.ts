/**
 * A small MAT v5 writer for test fixtures (never the real NIST files): numeric arrays of every class
 * (optionally complex, optionally stored in a narrower data type as MATLAB does), logical, char,
 * cell and struct arrays; each variable optionally zlib-compressed; either byte order. Data elements
 * of ≤ 4 bytes use the "small data element" form. Cross-checked once against scipy.io.loadmat
 * (see the eval README, "MAT v5 reader").
 */
import { deflateSync } from 'node:zlib';

type NumClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';
type Mi = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'single' | 'double' | 'int64' | 'uint64';

/** A value to write; values are column-major. */
export type WValue =
  | { kind: 'numeric'; class: NumClass; dims: number[]; real: ArrayLike<number | bigint>; imag?: ArrayLike<number | bigint>; storage?: Mi; logical?: boolean }
  | { kind: 'char'; rows: string[] }
  | { kind: 'cell'; dims: number[]; cells: WValue[] }
  | { kind: 'struct'; dims: number[]; fields: string[]; elements: Record<string, WValue>[] };

const MI_CODE: Record<Mi, number> = { int8: 1, uint8: 2, int16: 3, uint16: 4, int32: 5, uint32: 6, single: 7, double: 9, int64: 12, uint64: 13 };
const MI_BYTES: Record<Mi, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, single: 4, double: 8, int64: 8, uint64: 8 };
const CLASS_CODE: Record<NumClass, number> = { double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13, int64: 14, uint64: 15 };

class Out {
  parts: Uint8Array[] = [];
  constructor(readonly le: boolean) {}
  bytes(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const o = new Uint8Array(n);
    let k = 0;
    for (const p of this.parts) {
      o.set(p, k);
      k += p.length;
    }
    return o;
  }
}

function packValues(le: boolean, t: Mi, vals: ArrayLike<number | bigint>): Uint8Array {
  const sz = MI_BYTES[t];
  const b = new Uint8Array(vals.length * sz);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    const o = i * sz;
    switch (t) {
      case 'int8':
        dv.setInt8(o, Number(v));
        break;
      case 'uint8':
        dv.setUint8(o, Number(v));
        break;
      case 'int16':
        dv.setInt16(o, Number(v), le);
        break;
      case 'uint16':
        dv.setUint16(o, Number(v), le);
        break;
      case 'int32':
        dv.setInt32(o, Number(v), le);
        break;
      case 'uint32':
        dv.setUint32(o, Number(v), le);
        break;
      case 'single':
        dv.setFloat32(o, Number(v), le);
        break;
      case 'double':
        dv.setFloat64(o, Number(v), le);
        break;
      case 'int64':
        dv.setBigInt64(o, BigInt(v), le);
        break;
      case 'uint64':
        dv.setBigUint64(o, BigInt(v), le);
        break;
    }
  }
  return b;
}

/** One data element (tag + data + padding). */
function element(le: boolean, type: number, data: Uint8Array): Uint8Array {
  if (data.length <= 4 && type !== 14 && type !== 15) {
    const o = new Uint8Array(8);
    const dv = new DataView(o.buffer);
    // small data element: bytes 0-1 type, 2-3 size in the file's byte order (as a uint32: size << 16 | type)
    dv.setUint32(0, ((data.length << 16) | type) >>> 0, le);
    o.set(data, 4);
    return o;
  }
  const pad = type === 15 ? 0 : (8 - (data.length % 8)) % 8;
  const o = new Uint8Array(8 + data.length + pad);
  const dv = new DataView(o.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, data.length, le);
  o.set(data, 8);
  return o;
}

const concat = (ps: Uint8Array[]): Uint8Array => {
  const o = new Out(true);
  o.parts = ps;
  return o.bytes();
};

function matrix(le: boolean, v: WValue, name: string): Uint8Array {
  const parts: Uint8Array[] = [];
  const flags = (cls: number, complex = false, logical = false): void => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, cls | (complex ? 0x800 : 0) | (logical ? 0x200 : 0), le);
    parts.push(element(le, 6, b));
  };
  const dims = (d: number[]): void => {
    parts.push(element(le, 5, packValues(le, 'int32', d)));
  };
  const nm = (): void => {
    parts.push(element(le, 1, new TextEncoder().encode(name)));
  };
  switch (v.kind) {
    case 'numeric': {
      flags(CLASS_CODE[v.class], v.imag !== undefined, v.logical);
      dims(v.dims);
      nm();
      const st: Mi = v.storage ?? v.class;
      parts.push(element(le, MI_CODE[st], packValues(le, st, v.real)));
      if (v.imag) parts.push(element(le, MI_CODE[st], packValues(le, st, v.imag)));
      break;
    }
    case 'char': {
      const rows = v.rows.length;
      const cols = Math.max(0, ...v.rows.map((r) => r.length));
      flags(4);
      dims([rows, cols]);
      nm();
      const codes = new Array<number>(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) codes[c * rows + r] = v.rows[r]!.padEnd(cols, ' ').charCodeAt(c);
      parts.push(element(le, 4, packValues(le, 'uint16', codes)));
      break;
    }
    case 'cell':
      flags(1);
      dims(v.dims);
      nm();
      for (const c of v.cells) parts.push(matrix(le, c, ''));
      break;
    case 'struct': {
      flags(2);
      dims(v.dims);
      nm();
      const len = Math.max(...v.fields.map((f) => f.length)) + 1;
      parts.push(element(le, 5, packValues(le, 'int32', [len])));
      const names = new Uint8Array(len * v.fields.length);
      v.fields.forEach((f, i) => names.set(new TextEncoder().encode(f), i * len));
      parts.push(element(le, 1, names));
      for (const e of v.elements) for (const f of v.fields) parts.push(matrix(le, e[f]!, ''));
      break;
    }
  }
  return element(le, 14, concat(parts));
}

/** Bytes of a MAT v5 file holding `vars` (in order); `compress` wraps each variable in miCOMPRESSED. */
export function writeMat(vars: Record<string, WValue>, opts: { compress?: boolean; bigEndian?: boolean } = {}): Uint8Array {
  const le = !opts.bigEndian;
  const head = new Uint8Array(128).fill(0x20);
  head.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Wed Dec  2 12:00:00 2026 (interpret-fr test writer)'), 0);
  head.fill(0, 116, 124);
  const dv = new DataView(head.buffer);
  dv.setUint16(124, 0x0100, le);
  dv.setUint16(126, 0x4d49, le); // 'MI' as int16 → reads 'IM' on a little-endian file
  const parts: Uint8Array[] = [head];
  for (const [name, v] of Object.entries(vars)) {
    const m = matrix(le, v, name);
    parts.push(opts.compress ? element(le, 15, deflateSync(m)) : m);
  }
  return concat(parts);
}

/** Shorthands. */
export const num = (cls: NumClass, dims: number[], real: ArrayLike<number | bigint>, extra: Partial<Extract<WValue, { kind: 'numeric' }>> = {}): WValue => ({
  kind: 'numeric',
  class: cls,
  dims,
  real,
  ...extra,
});
export const col = (values: ArrayLike<number>, cls: NumClass = 'double'): WValue => num(cls, [values.length, 1], values);
export const chars = (...rows: string[]): WValue => ({ kind: 'char', rows });
export const cellCol = (cells: WValue[]): WValue => ({ kind: 'cell', dims: [cells.length, 1], cells });
