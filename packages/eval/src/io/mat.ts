/**
 * A MAT-file level 5 reader (the format of MATLAB `save -v6` / `-v7`, which the original IJB-A
 * protocol files use): numeric arrays of every class (real or complex, any storage type widened
 * to the array class), logical, char, cell, struct and object arrays, sparse matrices, compressed
 * (`miCOMPRESSED`, zlib) or not, either byte order. Isomorphic: decompression is injected
 * (`inflate`; the Node entry passes `zlib.inflateSync`). MAT v7.3 files are HDF5 and are rejected
 * with a one-line error, as are v4 files and malformed elements (the error names the file and the
 * byte offset).
 *
 * Layout reference: "MAT-File Format", The MathWorks (R2024b), ch. 1 "Level 5 MAT-Files".
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';

/** A malformed or unsupported MAT file: `file: message`. */
export class MatFormatError extends InterpretFrError {
  constructor(
    override readonly file: string,
    message: string,
  ) {
    super(message, { code: 'format', file });
    this.name = 'MatFormatError';
  }
}

/** MATLAB array classes (mxClassID) by name. */
export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

/** The typed array holding a numeric class's values. */
export type MatNumericData = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A numeric or logical array; values in column-major order (MATLAB's). */
export interface MatNumeric {
  kind: 'numeric';
  class: MatNumericClass;
  logical: boolean;
  dims: number[];
  real: MatNumericData;
  imag?: MatNumericData;
}

/** A char array: UTF-16 code units in column-major order. Use {@link matCharRows} for the rows. */
export interface MatChar {
  kind: 'char';
  dims: number[];
  codes: Uint16Array;
}

/** A cell array (column-major). */
export interface MatCell {
  kind: 'cell';
  dims: number[];
  cells: MatValue[];
}

/** A struct (or object) array: one record per element (column-major), same field names for all. */
export interface MatStruct {
  kind: 'struct';
  dims: number[];
  fields: string[];
  elements: Record<string, MatValue>[];
  /** Set for MATLAB objects (mxOBJECT_CLASS). */
  className?: string;
}

/** A sparse matrix in compressed-column form (real part as double). */
export interface MatSparse {
  kind: 'sparse';
  dims: number[];
  logical: boolean;
  ir: Int32Array;
  jc: Int32Array;
  real: Float64Array;
  imag?: Float64Array;
}

/** Any MAT value. */
export type MatValue = MatNumeric | MatChar | MatCell | MatStruct | MatSparse;

/** The variables of a MAT file, in file order. */
export interface MatFile {
  header: string;
  littleEndian: boolean;
  variables: Map<string, MatValue>;
}

/** Options of {@link readMat}. */
export interface ReadMatOptions {
  /** zlib inflate (`miCOMPRESSED` elements); required only when the file has compressed variables. */
  inflate?: (data: Uint8Array) => Uint8Array;
}

// Data types (miXXX) and classes (mxXXX_CLASS).
const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };
const CLASS_NAMES: Record<number, MatNumericClass> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX = { CELL: 1, STRUCT: 2, OBJECT: 3, CHAR: 4, SPARSE: 5, FUNCTION: 16, OPAQUE: 17 } as const;

/** The byte signature of HDF5 (MAT v7.3 files are HDF5 with a 512-byte user block). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5At(b: Uint8Array, off: number): boolean {
  if (b.length < off + 8) return false;
  for (let i = 0; i < 8; i++) if (b[off + i] !== HDF5_SIGNATURE[i]) return false;
  return true;
}

function newNumeric(cls: MatNumericClass, n: number): MatNumericData {
  switch (cls) {
    case 'double':
      return new Float64Array(n);
    case 'single':
      return new Float32Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
      return new Uint8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
  }
}

class Reader {
  constructor(
    readonly file: string,
    readonly le: boolean,
    readonly opts: ReadMatOptions,
  ) {}

  fail(off: number, msg: string): never {
    throw new MatFormatError(this.file, `byte ${off}: ${msg}`);
  }

  /** Reads the tag at `off`: type, byte count, data offset, offset of the next element. */
  tag(_b: Uint8Array, dv: DataView, off: number, end: number): { type: number; n: number; data: number; next: number } {
    if (off + 8 > end) this.fail(off, `truncated data element tag (${end - off} bytes left, need 8)`);
    const w = dv.getUint32(off, this.le);
    const hi = w >>> 16;
    if (hi !== 0) {
      // Small data element: type and size packed in the first 4 bytes, data in the next 4.
      const n = hi;
      if (n > 4) this.fail(off, `small data element claims ${n} bytes (at most 4)`);
      return { type: w & 0xffff, n, data: off + 4, next: off + 8 };
    }
    const n = dv.getUint32(off + 4, this.le);
    const data = off + 8;
    if (data + n > end) this.fail(off, `data element of type ${w} claims ${n} bytes, only ${end - data} left`);
    // Compressed elements are not padded; all others end on an 8-byte boundary.
    const next = w === MI.COMPRESSED ? data + n : data + Math.ceil(n / 8) * 8;
    return { type: w, n, data, next: Math.min(next, end) };
  }

  /** Reads a numeric data element as numbers (or bigints for 64-bit integer storage). */
  values(dv: DataView, type: number, off: number, n: number, at: number): { count: number; get: (i: number) => number | bigint } {
    const sz = MI_SIZE[type];
    if (!sz || type === MI.MATRIX || type === MI.COMPRESSED) this.fail(at, `expected a numeric data element, got type ${type}`);
    if (n % sz !== 0) this.fail(at, `${n} bytes is not a whole number of ${sz}-byte values`);
    const le = this.le;
    const get: (i: number) => number | bigint = (() => {
      switch (type) {
        case MI.INT8:
          return (i: number) => dv.getInt8(off + i);
        case MI.UINT8:
        case MI.UTF8:
          return (i: number) => dv.getUint8(off + i);
        case MI.INT16:
          return (i: number) => dv.getInt16(off + 2 * i, le);
        case MI.UINT16:
        case MI.UTF16:
          return (i: number) => dv.getUint16(off + 2 * i, le);
        case MI.INT32:
          return (i: number) => dv.getInt32(off + 4 * i, le);
        case MI.UINT32:
        case MI.UTF32:
          return (i: number) => dv.getUint32(off + 4 * i, le);
        case MI.SINGLE:
          return (i: number) => dv.getFloat32(off + 4 * i, le);
        case MI.DOUBLE:
          return (i: number) => dv.getFloat64(off + 8 * i, le);
        case MI.INT64:
          return (i: number) => dv.getBigInt64(off + 8 * i, le);
        default:
          return (i: number) => dv.getBigUint64(off + 8 * i, le);
      }
    })();
    return { count: n / sz, get };
  }

  /** Reads a numeric element into the array class `cls` (widening/narrowing as MATLAB stores it). */
  numeric(b: Uint8Array, dv: DataView, off: number, end: number, cls: MatNumericClass, expect: number): { data: MatNumericData; next: number } {
    const t = this.tag(b, dv, off, end);
    const v = this.values(dv, t.type, t.data, t.n, off);
    if (v.count !== expect) this.fail(off, `${v.count} values for an array of ${expect} elements`);
    const out = newNumeric(cls, expect);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      for (let i = 0; i < expect; i++) {
        const x = v.get(i);
        out[i] = typeof x === 'bigint' ? x : BigInt(Math.trunc(x));
      }
    } else {
      for (let i = 0; i < expect; i++) {
        const x = v.get(i);
        out[i] = typeof x === 'bigint' ? Number(x) : x;
      }
    }
    return { data: out, next: t.next };
  }

  ints(b: Uint8Array, dv: DataView, off: number, end: number, what: string): { v: number[]; next: number } {
    const t = this.tag(b, dv, off, end);
    const v = this.values(dv, t.type, t.data, t.n, off);
    const out: number[] = [];
    for (let i = 0; i < v.count; i++) out.push(Number(v.get(i)));
    if (out.some((x) => !Number.isInteger(x))) this.fail(off, `${what} must be integers`);
    return { v: out, next: t.next };
  }

  text(b: Uint8Array, dv: DataView, off: number, end: number): { s: string; next: number } {
    const t = this.tag(b, dv, off, end);
    const bytes = b.subarray(t.data, t.data + t.n);
    let s = '';
    for (const c of bytes) {
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return { s, next: t.next };
  }

  /** Parses one top-level element: a (possibly compressed) miMATRIX. Returns null for other types. */
  element(b: Uint8Array, dv: DataView, off: number, end: number): { name: string; value: MatValue | null; next: number } {
    const t = this.tag(b, dv, off, end);
    if (t.type === MI.COMPRESSED) {
      if (!this.opts.inflate) this.fail(off, 'compressed variable but no inflate function given (Node: readMatFile or zlib.inflateSync)');
      let raw: Uint8Array;
      try {
        raw = this.opts.inflate(b.subarray(t.data, t.data + t.n));
      } catch (e) {
        this.fail(off, `cannot decompress (zlib): ${(e as Error).message}`);
      }
      const inner = new Reader(`${this.file} (compressed element at byte ${off})`, this.le, this.opts);
      const r = inner.element(raw, new DataView(raw.buffer, raw.byteOffset, raw.byteLength), 0, raw.length);
      return { name: r.name, value: r.value, next: t.next };
    }
    if (t.type !== MI.MATRIX) return { name: '', value: null, next: t.next };
    const r = this.matrix(b, dv, t.data, t.data + t.n, off);
    return { name: r.name, value: r.value, next: t.next };
  }

  /** The body of an miMATRIX element between `off` and `end`. */
  matrix(b: Uint8Array, dv: DataView, off: number, end: number, at: number): { name: string; value: MatValue } {
    if (off === end) return { name: '', value: { kind: 'numeric', class: 'double', logical: false, dims: [0, 0], real: new Float64Array(0) } };
    const ft = this.tag(b, dv, off, end);
    if (ft.type !== MI.UINT32 || ft.n !== 8) this.fail(off, `array flags: expected 8 bytes of miUINT32, got type ${ft.type} (${ft.n} bytes)`);
    const flags = dv.getUint32(ft.data, this.le);
    const cls = flags & 0xff;
    const complex = (flags & 0x800) !== 0;
    const logical = (flags & 0x200) !== 0;
    let p = ft.next;
    const dimsR = this.ints(b, dv, p, end, 'dimensions');
    const dims = dimsR.v;
    if (dims.length < 2 || dims.some((d) => d < 0)) this.fail(p, `dimensions [${dims.join(' ')}] are not valid`);
    p = dimsR.next;
    const nm = this.text(b, dv, p, end);
    p = nm.next;
    const count = dims.reduce((a, d) => a * d, 1);
    const numClass = CLASS_NAMES[cls];
    if (numClass) {
      const re = this.numeric(b, dv, p, end, numClass, count);
      const value: MatNumeric = { kind: 'numeric', class: numClass, logical, dims, real: re.data };
      if (complex) value.imag = this.numeric(b, dv, re.next, end, numClass, count).data;
      return { name: nm.s, value };
    }
    switch (cls) {
      case MX.CHAR: {
        const t = this.tag(b, dv, p, end);
        let codes: Uint16Array;
        if (t.type === MI.UTF8) {
          const s = new TextDecoder().decode(b.subarray(t.data, t.data + t.n));
          codes = Uint16Array.from(s, (c) => c.charCodeAt(0));
        } else {
          const v = this.values(dv, t.type, t.data, t.n, p);
          codes = new Uint16Array(v.count);
          for (let i = 0; i < v.count; i++) codes[i] = Number(v.get(i));
        }
        if (codes.length !== count) this.fail(p, `char array of ${count} elements holds ${codes.length} characters`);
        return { name: nm.s, value: { kind: 'char', dims, codes } };
      }
      case MX.CELL: {
        const cells: MatValue[] = [];
        for (let i = 0; i < count; i++) {
          const t = this.tag(b, dv, p, end);
          if (t.type !== MI.MATRIX) this.fail(p, `cell element ${i + 1}: expected miMATRIX, got type ${t.type}`);
          cells.push(this.matrix(b, dv, t.data, t.data + t.n, p).value);
          p = t.next;
        }
        return { name: nm.s, value: { kind: 'cell', dims, cells } };
      }
      case MX.STRUCT:
      case MX.OBJECT: {
        let className: string | undefined;
        if (cls === MX.OBJECT) {
          const c = this.text(b, dv, p, end);
          className = c.s;
          p = c.next;
        }
        const fl = this.ints(b, dv, p, end, 'field name length');
        const len = fl.v[0] ?? 0;
        p = fl.next;
        const ft2 = this.tag(b, dv, p, end);
        const fields: string[] = [];
        if (len > 0) {
          if (ft2.n % len !== 0) this.fail(p, `field names: ${ft2.n} bytes is not a multiple of the name length ${len}`);
          for (let f = 0; f < ft2.n / len; f++) {
            let s = '';
            for (let k = 0; k < len; k++) {
              const c = b[ft2.data + f * len + k]!;
              if (c === 0) break;
              s += String.fromCharCode(c);
            }
            fields.push(s);
          }
        }
        p = ft2.next;
        const elements: Record<string, MatValue>[] = [];
        for (let i = 0; i < count; i++) {
          const rec: Record<string, MatValue> = {};
          for (const f of fields) {
            const t = this.tag(b, dv, p, end);
            if (t.type !== MI.MATRIX) this.fail(p, `struct element ${i + 1} field '${f}': expected miMATRIX, got type ${t.type}`);
            rec[f] = this.matrix(b, dv, t.data, t.data + t.n, p).value;
            p = t.next;
          }
          elements.push(rec);
        }
        const value: MatStruct = { kind: 'struct', dims, fields, elements };
        if (className !== undefined) value.className = className;
        return { name: nm.s, value };
      }
      case MX.SPARSE: {
        const ir = this.ints(b, dv, p, end, 'sparse row indices');
        const jc = this.ints(b, dv, ir.next, end, 'sparse column starts');
        const nnz = jc.v[jc.v.length - 1] ?? 0;
        const pr = this.numeric(b, dv, jc.next, end, 'double', nnz);
        const value: MatSparse = { kind: 'sparse', dims, logical, ir: Int32Array.from(ir.v.slice(0, nnz)), jc: Int32Array.from(jc.v), real: pr.data as Float64Array };
        if (complex) value.imag = this.numeric(b, dv, pr.next, end, 'double', nnz).data as Float64Array;
        return { name: nm.s, value };
      }
      case MX.FUNCTION:
        return this.fail(at, `variable '${nm.s}' is a function handle (not supported)`);
      case MX.OPAQUE:
        return this.fail(at, `variable '${nm.s}' is an opaque MATLAB object (e.g. a table or string; save it as a struct or cell instead)`);
      default:
        return this.fail(at, `variable '${nm.s}' has unknown array class ${cls}`);
    }
  }
}

/**
 * Parses a MAT v5 file from its bytes. `file` names it in errors.
 *
 * @example
 * const mat = readMat(bytes, 'verify_comparisons_1.mat', { inflate: zlib.inflateSync });
 * const c = mat.variables.get('comparison'); // { kind: 'numeric', class: 'uint16', dims: [11786, 2], … }
 */
export function readMat(bytes: Uint8Array, file: string, opts: ReadMatOptions = {}): MatFile {
  if (isHdf5At(bytes, 0) || isHdf5At(bytes, 512))
    throw new MatFormatError(file, "is a MAT v7.3 (HDF5) file; only MAT v5 (save -v7 or -v6) is supported: re-save it in MATLAB/Octave with save(..., '-v7')");
  if (bytes.length < 128) throw new MatFormatError(file, `${bytes.length} bytes: too short for a MAT v5 header (128 bytes)`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, 116)).replace(/[\s\0]+$/, '');
  if (/^MATLAB 7\.3/.test(header)) throw new MatFormatError(file, "is a MAT v7.3 (HDF5) file; only MAT v5 (save -v7 or -v6) is supported: re-save it with save(..., '-v7')");
  const ind = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (ind !== 'IM' && ind !== 'MI') {
    throw new MatFormatError(
      file,
      /^MATLAB/.test(header)
        ? `bad endian indicator '${ind}' at byte 126 (expected 'IM' or 'MI')`
        : 'not a MAT v5 file (no "MATLAB 5.0 MAT-file" header; v4 files are not supported)',
    );
  }
  const le = ind === 'IM';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(124, le);
  if (version !== 0x0100) throw new MatFormatError(file, `MAT version 0x${version.toString(16)} at byte 124, expected 0x0100 (level 5)`);
  const r = new Reader(file, le, opts);
  const variables = new Map<string, MatValue>();
  let off = 128;
  while (off < bytes.length) {
    if (bytes.length - off < 8 && bytes.subarray(off).every((x) => x === 0)) break; // trailing padding
    const e = r.element(bytes, dv, off, bytes.length);
    if (e.value) {
      if (variables.has(e.name)) throw new MatFormatError(file, `byte ${off}: variable '${e.name}' appears twice`);
      variables.set(e.name, e.value);
    }
    if (e.next <= off) throw new MatFormatError(file, `byte ${off}: element does not advance`);
    off = e.next;
  }
  return { header, littleEndian: le, variables };
}

/** The rows of a 2-D char array as strings (MATLAB pads rows with spaces; trailing blanks trimmed). */
export function matCharRows(c: MatChar): string[] {
  const [rows = 0] = c.dims;
  const cols = c.dims.slice(1).reduce((a, d) => a * d, 1);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = '';
    for (let k = 0; k < cols; k++) s += String.fromCharCode(c.codes[k * rows + r]!);
    out.push(s.replace(/[\s\0]+$/, ''));
  }
  return out;
}

/** Number of elements of a value. */
export const matNumel = (v: MatValue): number => v.dims.reduce((a, d) => a * d, 1);

/** Numeric values of a numeric/logical array as float64 (column-major); 64-bit integers may round. */
export function matToFloat64(v: MatNumeric): Float64Array {
  const out = new Float64Array(v.real.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(v.real[i]!);
  return out;
}
