/**
 * The byte scanner of the insightface meta files (`ijbc.ts`): whitespace-separated integer columns read in
 * place into Int32Arrays, with one-line errors naming the file and line. Its own module, with no imports but
 * core's error class, so that the parallel pair-file reader's worker (`ijbc-pairs-parallel.ts`) loads little.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';

/** A malformed meta file: `file:line: message`. */
export class IjbcFormatError extends InterpretFrError {
  constructor(
    override readonly file: string,
    override readonly line: number,
    message: string,
  ) {
    super(message, { code: 'format', file, line });
    this.name = 'IjbcFormatError';
  }
}

/** Newlines in `bytes`: 4 bytes at a time (a word holds one where `(x - 0x01010101) & ~x & 0x80808080` flags a zero byte of `x = w ^ 0x0a0a0a0a`). */
export function countNewlines(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  let lines = 0;
  for (; i < n && (bytes.byteOffset + i) % 4 !== 0; i++) if (bytes[i] === 10) lines++;
  const words = (n - i) >>> 2;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
  for (let k = 0; k < words; k++) {
    const x = w[k]! ^ 0x0a0a0a0a;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) {
      if ((x & 0xff) === 0) lines++;
      if ((x & 0xff00) === 0) lines++;
      if ((x & 0xff0000) === 0) lines++;
      if ((x & 0xff000000) === 0) lines++;
    }
  }
  for (i += 4 * words; i < n; i++) if (bytes[i] === 10) lines++;
  return lines;
}

/** A field separator: space, tab, carriage return or comma. */
const isSep = (b: number): boolean => b === 32 || b === 9 || b === 13 || b === 44;

/**
 * One line `bytes[start, end)` (no newline) field by field, with the exact error for a malformed one: the
 * reference for {@link scanColumns}, which comes here for any line its fast path does not take.
 * Returns the integers (the name, if any, first in `name`), or null for a blank line.
 */
function scanLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  file: string,
  lineNo: number,
  nInt: number,
  firstIsName: boolean,
  dec: TextDecoder,
): { name: string; ints: number[] } | null {
  let p = start;
  while (p < end && isSep(bytes[p]!)) p++;
  if (p === end) return null;
  let name = '';
  if (firstIsName) {
    const s = p;
    while (p < end && bytes[p] !== 32 && bytes[p] !== 9 && bytes[p] !== 44) p++;
    name = dec.decode(bytes.subarray(s, p));
    while (p < end && isSep(bytes[p]!)) p++;
  }
  const first = firstIsName ? 1 : 0;
  const ints: number[] = [];
  for (let c = 0; c < nInt; c++) {
    if (p >= end) throw new IjbcFormatError(file, lineNo, `${c + first} fields, expected ${nInt + first}`);
    let neg = false;
    if (bytes[p] === 45) {
      neg = true;
      p++;
    }
    let v = 0;
    const s = p;
    while (p < end && bytes[p]! >= 48 && bytes[p]! <= 57) {
      v = v * 10 + bytes[p]! - 48;
      p++;
    }
    if (p === s || (p < end && !isSep(bytes[p]!))) {
      let q = p;
      while (q < end && bytes[q] !== 32 && bytes[q] !== 9 && bytes[q] !== 44 && bytes[q] !== 13) q++;
      throw new IjbcFormatError(file, lineNo, `field ${c + 1 + first} '${dec.decode(bytes.subarray(s, q))}' is not an integer`);
    }
    if (v > 2147483647) throw new IjbcFormatError(file, lineNo, `field ${c + 1 + first} '${dec.decode(bytes.subarray(s, p))}' is out of the 32-bit integer range`);
    ints.push(neg ? -v : v);
    while (p < end && isSep(bytes[p]!)) p++;
  }
  if (p < end) throw new IjbcFormatError(file, lineNo, `extra fields after ${nInt + first}`);
  return { name, ints };
}

/**
 * Parses whitespace-separated integer columns from bytes (separators: space, tab, CR, comma; blank lines
 * skipped); `names` keeps column 0 as text. One pass over the bytes: each line is read in place, field
 * by field, and a line the fast path does not take (a malformed field, a missing or extra one) goes to
 * {@link scanLine}, which gives its exact error. IJB-C's 15.7M pair lines (204 MB): see the package README.
 * `lineBase`: the lines before `bytes` in the file (a later part of it: line numbers count on from there);
 * `newlines`: `countNewlines(bytes)` when the caller has it. `out`: arrays to write the rows into from index 0
 * (e.g. views of SharedArrayBuffers that two threads fill), each as long as the most rows `bytes` can hold (else a
 * RangeError): {@link maxRows}`(bytes.length, fields)` (fields: `nInt`, plus 1 with `firstIsName`), or its lines
 * when fewer and `newlines` is given; the result's columns are then views of them.
 */
export function scanColumns(
  bytes: Uint8Array,
  file: string,
  nInt: number,
  firstIsName: boolean,
  lineBase = 0,
  newlines?: number,
  out?: { cols: Int32Array[]; lineOf: Int32Array },
): { names: string[]; cols: Int32Array[]; lineOf: Int32Array } {
  const n = bytes.length;
  let cols: Int32Array[];
  let lineOf: Int32Array;
  /** The rows the outputs hold (the shortest of them). */
  let cap: number;
  if (out) {
    // At most one row a line (when the lines are known) and at most maxRows.
    const lines = newlines === undefined ? Infinity : newlines + (n && bytes[n - 1] !== 10 ? 1 : 0);
    const need = Math.min(lines, maxRows(n, nInt + (firstIsName ? 1 : 0)));
    ({ cols, lineOf } = out);
    cap = Math.min(lineOf.length, ...cols.map((c) => c.length));
    if (cols.length !== nInt || cap < need) throw new RangeError(`scanColumns: ${nInt} output columns of at least ${need} rows expected`);
  } else {
    cap = newlines ?? countNewlines(bytes);
    if (n && bytes[n - 1] !== 10) cap++;
    cols = Array.from({ length: nInt }, () => new Int32Array(cap));
    lineOf = new Int32Array(cap);
  }
  const names: string[] = [];
  const dec = new TextDecoder();
  let row = 0;
  let p = 0;
  let lineNo = lineBase;
  while (p < n) {
    lineNo++;
    const start = p;
    let b = bytes[p]!;
    while (b === 32 || b === 9 || b === 13 || b === 44) {
      if (++p === n) break;
      b = bytes[p]!;
    }
    if (p === n) break;
    if (b === 10) {
      p++;
      continue;
    }
    let ok = true;
    if (firstIsName) {
      const s = p;
      while (p < n && (b = bytes[p]!) !== 32 && b !== 9 && b !== 44 && b !== 10) p++;
      names.push(dec.decode(bytes.subarray(s, p)));
      while (p < n && ((b = bytes[p]!) === 32 || b === 9 || b === 13 || b === 44)) p++;
    }
    // Fast path: unsigned decimal fields (a sign, like any other unusual field, takes the slow path).
    for (let c = 0; c < nInt; c++) {
      let v = 0;
      const s = p;
      while (p < n && (b = bytes[p]! - 48) >= 0 && b <= 9) {
        v = v * 10 + b;
        p++;
      }
      if (p === s || v > 2147483647 || (p < n && (b = bytes[p]!) !== 32 && b !== 9 && b !== 13 && b !== 44 && b !== 10)) {
        ok = false;
        break;
      }
      cols[c]![row] = v;
      while (p < n && ((b = bytes[p]!) === 32 || b === 9 || b === 13 || b === 44)) p++;
    }
    if (ok && p < n && bytes[p] !== 10) ok = false;
    if (!ok) {
      // The slow path: the whole line again by the reference scanner, which reads what the fast path leaves to it (a
      // signed field) and throws the exact error for a malformed line.
      let end = bytes.indexOf(10, start);
      if (end < 0) end = n;
      const r = scanLine(bytes, start, end, file, lineNo, nInt, firstIsName, dec);
      if (firstIsName) names.pop();
      p = end + 1;
      if (!r) continue;
      if (firstIsName) names.push(r.name);
      for (let c = 0; c < nInt; c++) cols[c]![row] = r.ints[c]!;
      lineOf[row] = lineNo;
      row++;
      continue;
    }
    lineOf[row] = lineNo;
    row++;
    p++;
  }
  // With `out`, a row past its end would have been dropped: maxRows makes that impossible; this says so if not.
  if (row > cap) throw new RangeError(`scanColumns: ${row} rows, more than the ${cap} of the output`);
  return { names, cols: cols.map((c) => c.subarray(0, row)), lineOf: lineOf.subarray(0, row) };
}

/**
 * The most rows {@link scanColumns} can read from `bytes` bytes with `fields` fields a line: a row is at least
 * `fields` fields of one byte or more and a separator between each two, and each row but the last ends with a newline.
 */
export function maxRows(bytes: number, fields: number): number {
  return Math.floor((bytes + 1) / (2 * fields));
}

/** Views of shared columns (`bufs`: the integer columns, then the line numbers; Int32) from row `at`, `len` rows. */
export function sharedRows(bufs: SharedArrayBuffer[], at: number, len: number): { cols: Int32Array[]; lineOf: Int32Array } {
  const v = bufs.map((b) => new Int32Array(b, 4 * at, len));
  return { cols: v.slice(0, -1), lineOf: v[v.length - 1]! };
}
