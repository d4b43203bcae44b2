/**
 * IJB-A protocol CSVs (official split layout, evaluation.md): `verify_metadata_N.csv`,
 * `search_probe_N.csv`, `search_gallery_N.csv` (25-column header, empty fields allowed) and
 * `verify_comparisons_N.csv` (two TEMPLATE_IDs per line, no header). Parsed into columnar typed
 * arrays; any malformed row is an {@link IjbaFormatError} naming the file, the line and the value.
 * From text (`parseIjbaMetadata`, `parseIjbaComparisons`) or from a file's bytes
 * (`parseIjbaMetadataBytes`, `parseIjbaComparisonsBytes`: the same results and errors, without
 * decoding the whole file; what `readIjbaProtocol` uses).
 *
 * @module
 */

import { InterpretFrError } from '@interpret-fr/core/errors';
import { plainRelativePath, plainRelativePathBytes } from '@interpret-fr/core/plain-path';

/** The official column order. */
export const IJBA_COLUMNS = [
  'TEMPLATE_ID',
  'SUBJECT_ID',
  'FILE',
  'MEDIA_ID',
  'SIGHTING_ID',
  'FRAME',
  'FACE_X',
  'FACE_Y',
  'FACE_WIDTH',
  'FACE_HEIGHT',
  'RIGHT_EYE_X',
  'RIGHT_EYE_Y',
  'LEFT_EYE_X',
  'LEFT_EYE_Y',
  'NOSE_BASE_X',
  'NOSE_BASE_Y',
  'FACE_YAW',
  'FOREHEAD_VISIBLE',
  'EYES_VISIBLE',
  'NOSE_MOUTH_VISIBLE',
  'INDOOR',
  'GENDER',
  'SKIN_TONE',
  'AGE',
  'FACIAL_HAIR',
] as const;

/** A malformed protocol file: `file:line: message`. */
export class IjbaFormatError extends InterpretFrError {
  constructor(
    override readonly file: string,
    override readonly line: number,
    message: string,
  ) {
    super(message, { code: 'format', file, line });
    this.name = 'IjbaFormatError';
  }
}

/** One metadata file, column by column (NaN = empty field). */
export interface IjbaMetadata {
  file: string;
  n: number;
  templateId: Int32Array;
  subjectId: Int32Array;
  /** −1 when empty. */
  mediaId: Int32Array;
  sightingId: Int32Array;
  /** FILE, trimmed. Read with {@link IjbaColumns} `scoring`: a hole (undefined) where it is a plain relative path. */
  filename: string[];
  frame: Float64Array;
  /** FACE_X, FACE_Y, FACE_WIDTH, FACE_HEIGHT per row. */
  bbox: Float32Array;
  /** RIGHT_EYE_X, RIGHT_EYE_Y, LEFT_EYE_X, LEFT_EYE_Y, NOSE_BASE_X, NOSE_BASE_Y per row. */
  landmarks: Float32Array;
  yaw: Float32Array;
  /** FOREHEAD_VISIBLE, EYES_VISIBLE, NOSE_MOUTH_VISIBLE per row. */
  visibility: Float32Array;
  /** INDOOR, GENDER, SKIN_TONE, AGE, FACIAL_HAIR per row (as given; GENDER may be text → NaN). */
  attributes: Float32Array;
  /** 1-based source line of each row. */
  line: Int32Array;
}

/**
 * Which metadata columns a reader fills. `all`: every column. `scoring`: the columns that scoring with
 * precomputed features reads (TEMPLATE_ID, SUBJECT_ID, MEDIA_ID, SIGHTING_ID and the three *_VISIBLE;
 * every row's line): FRAME, the box, the landmarks, FACE_YAW and the five attributes are neither parsed
 * nor checked, and their arrays are empty. FILE is checked (not empty) but kept only where it is not a
 * plain relative path (`plainRelativePath`, `@interpret-fr/core/plain-path`): scoring asks of it only that
 * it stays under the image root, which a plain relative path always does, so `filename[r]` is a hole
 * (undefined) for those rows — most rows of a real protocol, whose strings are then never made. The field
 * count of every line is checked either way.
 */
export type IjbaColumns = 'all' | 'scoring';

/** Per column (IJBA_COLUMNS order), 1 when `scoring` leaves it unread. */
const SKIPPED_FOR_SCORING = Uint8Array.from(IJBA_COLUMNS, (_, k) => ((k >= 5 && k <= 16) || k >= 20 ? 1 : 0));

/**
 * An {@link IjbaMetadata} of `line.length` rows with every column allocated (zero-filled,
 * `filename` holey) — the one layout both readers (this CSV parser and `ijbaMetadataFromMat`) fill;
 * with `scoring`, the columns it leaves unread are empty.
 */
export function allocIjbaMetadata(file: string, line: Int32Array, columns: IjbaColumns = 'all'): IjbaMetadata {
  const n = line.length;
  // A skipped column is empty (0 rows per line).
  const k = columns === 'scoring' ? 0 : n;
  return {
    file,
    n,
    templateId: new Int32Array(n),
    subjectId: new Int32Array(n),
    mediaId: new Int32Array(n),
    sightingId: new Int32Array(n),
    filename: new Array<string>(n),
    frame: new Float64Array(k),
    bbox: new Float32Array(4 * k),
    landmarks: new Float32Array(6 * k),
    yaw: new Float32Array(k),
    visibility: new Float32Array(3 * n),
    attributes: new Float32Array(5 * k),
    line,
  };
}

/** Template pairs of a verification split. */
export interface IjbaComparisons {
  file: string;
  a: Int32Array;
  b: Int32Array;
  line: Int32Array;
}

/** Lines split at `\n` or `\r\n` (as `split(/\r?\n/)`, without the regular expression). */
function lines(text: string): string[] {
  const ls = text.split('\n');
  for (let i = 0; i + 1 < ls.length; i++) {
    const l = ls[i]!;
    if (l.charCodeAt(l.length - 1) === 13) ls[i] = l.slice(0, -1);
  }
  return ls;
}

function parseInt32(file: string, line: number, col: string, v: string, optional: boolean): number {
  const s = v.trim();
  if (s === '') {
    if (optional) return -1;
    throw new IjbaFormatError(file, line, `${col} is empty, expected an integer`);
  }
  const x = Number(s);
  if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) throw new IjbaFormatError(file, line, `${col} = '${v}', expected an integer`);
  return x;
}

function parseNum(file: string, line: number, col: string, v: string, text = false): number {
  const s = v.trim();
  if (s === '') return Number.NaN;
  const x = Number(s);
  if (Number.isNaN(x) && !(text || /^nan$/i.test(s))) throw new IjbaFormatError(file, line, `${col} = '${v}', expected a number or an empty field`);
  if (x === Infinity || x === -Infinity) throw new IjbaFormatError(file, line, `${col} = '${v}', expected a finite number or an empty field`);
  return x;
}

/** Powers of ten exactly representable as doubles. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A plain decimal field `l[a..b)` (`-`? digits (`.` digits)?, at most 15 digits, no spaces) parsed
 * without making a string: M / 10^k with M < 2^53 and 10^k exact is correctly rounded, so it equals
 * `Number(text)` bit for bit. An empty field is NaN (numbers) — for integers, and for anything else
 * (spaces, exponents, `NaN`, text, too many digits), undefined: the caller's full parser decides.
 */
function fastDecimal(l: string, a: number, b: number, integer: boolean): number | undefined {
  if (a === b) return integer ? undefined : Number.NaN;
  let i = a;
  const neg = l.charCodeAt(i) === 45;
  if (neg) i++;
  let v = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = l.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0 && !integer) frac = 0;
    else return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  if (integer && (v > 2147483647 || (neg && v > 2147483648))) return undefined;
  const x = frac > 0 ? v / POW10[frac]! : v;
  return neg ? -x : x;
}

/** Parses a metadata/probe/gallery CSV (header required, exactly the 25 official columns); `columns`: which to read. */
export function parseIjbaMetadata(text: string, file: string, columns: IjbaColumns = 'all'): IjbaMetadata {
  const ls = lines(text);
  const header = (ls[0] ?? '')
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toUpperCase());
  if (header.length !== IJBA_COLUMNS.length || header.some((h, i) => h !== IJBA_COLUMNS[i])) {
    throw new IjbaFormatError(file, 1, `header is '${ls[0] ?? ''}', expected '${IJBA_COLUMNS.join(',')}'`);
  }
  // Non-empty lines first (their count sizes the columns), then one pass per line without splitting it
  // into strings: fields are located with indexOf and plain decimals parsed in place (fastDecimal); any
  // other field goes through parseInt32 / parseNum, which give the one-line errors.
  const lineNo: number[] = [];
  for (let i = 1; i < ls.length; i++) {
    const l = ls[i]!;
    const c = l.charCodeAt(0);
    if (l.length === 0 || ((c <= 32 || c > 127) && l.trim() === '')) continue;
    lineNo.push(i + 1);
  }
  const n = lineNo.length;
  const m = allocIjbaMetadata(file, Int32Array.from(lineNo), columns);
  const all = columns === 'all';
  const ends = new Int32Array(IJBA_COLUMNS.length);
  for (let r = 0; r < n; r++) {
    const ln = lineNo[r]!;
    const l = ls[ln - 1]!;
    let at = 0;
    let nf = 0;
    for (; nf < IJBA_COLUMNS.length; nf++) {
      const e = l.indexOf(',', at);
      if (e < 0) break;
      ends[nf] = e;
      at = e + 1;
    }
    if (nf !== IJBA_COLUMNS.length - 1) throw new IjbaFormatError(file, ln, `${l.split(',').length} fields, expected ${IJBA_COLUMNS.length}`);
    ends[nf] = l.length;
    const from = (k: number): number => (k === 0 ? 0 : ends[k - 1]! + 1);
    const int = (k: number, optional: boolean): number => {
      const x = fastDecimal(l, from(k), ends[k]!, true);
      return x === undefined ? parseInt32(file, ln, IJBA_COLUMNS[k]!, l.slice(from(k), ends[k]), optional) : x;
    };
    const num = (k: number, text = false): number => {
      const x = fastDecimal(l, from(k), ends[k]!, false);
      return x === undefined ? parseNum(file, ln, IJBA_COLUMNS[k]!, l.slice(from(k), ends[k]), text) : x;
    };
    m.templateId[r] = int(0, false);
    m.subjectId[r] = int(1, false);
    const fn = l.slice(from(2), ends[2]).trim();
    if (fn === '') throw new IjbaFormatError(file, ln, 'FILE is empty');
    if (all || !plainRelativePath(fn)) m.filename[r] = fn;
    m.mediaId[r] = int(3, true);
    m.sightingId[r] = int(4, false);
    for (let k = 0; k < 3; k++) m.visibility[3 * r + k] = num(17 + k);
    if (!all) continue;
    m.frame[r] = num(5);
    for (let k = 0; k < 4; k++) m.bbox[4 * r + k] = num(6 + k);
    for (let k = 0; k < 6; k++) m.landmarks[6 * r + k] = num(10 + k);
    m.yaw[r] = num(16);
    for (let k = 0; k < 5; k++) m.attributes[5 * r + k] = num(20 + k, true);
  }
  return m;
}

/** Parses `verify_comparisons_N.csv`: two integer TEMPLATE_IDs per line, no header. */
export function parseIjbaComparisons(text: string, file: string): IjbaComparisons {
  const ls = lines(text);
  const a: number[] = [];
  const b: number[] = [];
  const ln: number[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!.trim();
    if (l === '') continue;
    const f = l.split(',');
    if (f.length !== 2) throw new IjbaFormatError(file, i + 1, `${f.length} fields, expected 2 TEMPLATE_IDs`);
    a.push(parseInt32(file, i + 1, 'first TEMPLATE_ID', f[0]!, false));
    b.push(parseInt32(file, i + 1, 'second TEMPLATE_ID', f[1]!, false));
    ln.push(i + 1);
  }
  return { file, a: Int32Array.from(a), b: Int32Array.from(b), line: Int32Array.from(ln) };
}

// ---------------------------------------------------------------------------------------------
// Byte entry points: the same results as the string parsers above, read straight from the file's
// bytes (no UTF-8 decode of the whole file, no per-line strings). One pass finds line ends and
// commas and accumulates plain integers / decimals from their digits (the fastDecimal argument:
// M / 10^k with M < 2^53 equals Number(text) bit for bit); ASCII FILE names are substrings of the
// file's one-byte (latin1) copy, as the string parser's are substrings of the decoded text. A field
// that is not plain (spaces, exponents, text, 16+ digits, non-ASCII) is decoded and handed to the
// same column parsers (parseInt32 / parseNum) as in the string path; a header other than the exact
// official one is decoded and checked as the string parser does. Anything else — a refused header,
// a wrong field count, a bare `\r`, a line of blanks, invalid UTF-8, any error — makes the byte
// path give up, and the file is decoded and parsed by the string parser, so every accepted input
// gives an identical result and every error is the string parser's error.
// ---------------------------------------------------------------------------------------------

/** The official header line, as bytes (ASCII). */
const HEADER_BYTES = Uint8Array.from(IJBA_COLUMNS.join(','), (c) => c.charCodeAt(0));

/** Node's Buffer has a native latin1 slicer (the fastest way to make a one-byte string). */
type MaybeBuffer = Uint8Array & { latin1Slice?: (start: number, end: number) => string };

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The whole file as text, exactly as `readFile(path, 'utf8')` gives it (a BOM is kept: the string
 * parser removes it from the header itself; invalid sequences become U+FFFD).
 */
function decodeText(bytes: Uint8Array): string {
  const buf = bytes as MaybeBuffer & { utf8Slice?: (start: number, end: number) => string };
  return buf.utf8Slice !== undefined ? buf.utf8Slice(0, bytes.length) : new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/**
 * The text of bytes [a, e): ASCII through a latin1 slice, anything else through a fatal UTF-8 decode
 * (valid UTF-8 bounded by ASCII bytes decodes as the same substring of the whole file's decode;
 * invalid UTF-8 throws, and the caller falls back to the string parser).
 */
function fieldText(b: Uint8Array, a: number, e: number): string {
  let hi = 0;
  for (let i = a; i < e; i++) hi |= b[i]!;
  if (hi >= 128) return utf8Fatal.decode(b.subarray(a, e));
  const l1 = (b as MaybeBuffer).latin1Slice;
  if (l1 !== undefined) return l1.call(b, a, e);
  return String.fromCharCode.apply(null, b.subarray(a, e) as unknown as number[]);
}

/** The terminator index of the field last read by {@link rawField} or {@link scanId}. */
let fieldEnd = 0;

/**
 * The raw text of the field at b[p..) as the string parser sees it: up to the next `,`, `\n` or the
 * end of the file, less a `\r` right before `\n` (the string parser's line split drops it). Sets `fieldEnd`.
 */
function rawField(b: Uint8Array, p: number, n: number): string {
  let i = p;
  while (i < n) {
    const c = b[i]!;
    if (c === 44 || c === 10) break;
    i++;
  }
  const e = i < n && b[i] === 10 && i > p && b[i - 1] === 13 ? i - 1 : i;
  fieldEnd = e;
  return fieldText(b, p, e);
}

/** The last column's index. */
const IJBA_LAST = IJBA_COLUMNS.length - 1;

/** Thrown inside the byte path when it gives the file to the string parser (never escapes it). */
const GIVE_UP = new Error('IJB-A byte parser: not a plain file');

/** One row's numbers, column by column, before they go to their columns. */
const rowValues = new Float64Array(IJBA_COLUMNS.length);

/**
 * A field that is not plain (column k at b[s..)): its text through the string parser's column parser
 * (which throws on what it rejects: the byte path then gives up). Sets `fieldEnd`.
 */
function slowField(b: Uint8Array, s: number, k: number, file: string, ln: number): number {
  const text = rawField(b, s, b.length);
  const col = IJBA_COLUMNS[k]!;
  return k <= 4 ? parseInt32(file, ln, col, text, k === 3) : parseNum(file, ln, col, text, k >= 20);
}

/**
 * The rows of a metadata file from byte p (after the header) into m; returns how many, or throws
 * (GIVE_UP or a column parser's error) where the string parser must decide. `b` ends with `\n`, so no
 * scan for a field's end runs past it. Numbers are read as the string parser reads them: a plain one
 * (`-`? digits (`.` digits)?, no `.` in the integer columns 0–4, ≤ 15 digits, integers within int32)
 * from its digits, M / 10^f as fastDecimal; an empty one as NaN (−1 for MEDIA_ID); anything else
 * through {@link slowField}. FILE is a latin1 slice when ASCII (a UTF-8 decode otherwise), trimmed as
 * the string parser does when it starts or ends with a blank or a non-ASCII byte; with `skip` (IjbaColumns
 * `scoring`) it is a hole instead where the trimmed text is a plain relative path (the string parser's rule),
 * found on the bytes without a string when they are ASCII with no blank at either end.
 */
function metadataRows(b: Uint8Array, p: number, m: IjbaMetadata, skip: boolean): number {
  const n = b.length;
  const rows = m.n;
  const file = m.file;
  const { templateId, subjectId, mediaId, sightingId, filename, frame, bbox, landmarks, yaw, visibility, attributes, line } = m;
  // With every column: the file as a one-byte string (a copy, no decoding), of which ASCII FILE names are
  // substrings, as the string parser's are substrings of the decoded text (non-ASCII ones are decoded per
  // field). For scoring, most FILEs are never made strings (plain relative paths: holes), so none is made.
  const l1 = (b as MaybeBuffer).latin1Slice;
  const bytesText = skip ? null : l1 !== undefined ? l1.call(b, 0, n) : new TextDecoder('latin1').decode(b);
  const vals = rowValues;
  let ln = 2;
  let r = 0;
  while (p < n) {
    const c0 = b[p]!;
    if (c0 === 10) {
      p++;
      ln++;
      continue;
    }
    if (c0 === 13 && b[p + 1] === 10) {
      p += 2;
      ln++;
      continue;
    }
    if (r === rows) throw GIVE_UP;
    for (let k = 0; k <= IJBA_LAST; k++) {
      const s = p;
      let i = s;
      let c = b[i]!;
      if (skip && SKIPPED_FOR_SCORING[k] === 1) {
        // Not read (IjbaColumns 'scoring'): up to the field's end (the last one's `\r` of a `\r\n` skipped with it).
        while (c !== 44 && c !== 10) c = b[++i]!;
      } else if (k === 2) {
        let hi = 0;
        while (c !== 44 && c !== 10) {
          hi |= c;
          c = b[++i]!;
        }
        const e = c === 10 && i > s && b[i - 1] === 13 ? i - 1 : i;
        // Scoring: a hole where the (trimmed) FILE is a plain relative path (IjbaColumns), found on the bytes
        // when they are ASCII with no blank at either end (the common case: no string made at all).
        const untrimmed = e > s && b[s]! > 32 && b[s]! < 128 && b[e - 1]! > 32 && b[e - 1]! < 128;
        if (!(skip && untrimmed && hi < 128 && plainRelativePathBytes(b, s, e))) {
          let name = hi < 128 && bytesText !== null ? bytesText.slice(s, e) : fieldText(b, s, e);
          if (!untrimmed) name = name.trim();
          if (name === '') throw GIVE_UP;
          if (!skip || !plainRelativePath(name)) filename[r] = name;
        }
        i = e;
      } else if (c === 44) {
        // Empty (the common case in the optional columns).
        vals[k] = k > 4 ? Number.NaN : k === 3 ? -1 : slowField(b, s, k, file, ln);
      } else {
        const neg = c === 45;
        if (neg) c = b[++i]!;
        const d0 = i;
        let v = 0;
        while (c >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          c = b[++i]!;
        }
        let digits = i - d0;
        let frac = 0;
        if (c === 46 && k > 4) {
          c = b[++i]!;
          const f0 = i;
          while (c >= 48 && c <= 57) {
            v = v * 10 + (c - 48);
            c = b[++i]!;
          }
          frac = i - f0;
          digits += frac;
        }
        if ((c === 44 || c === 10 || (c === 13 && b[i + 1] === 10)) && digits > 0 && digits <= 15 && (k > 4 || v <= (neg ? 2147483648 : 2147483647))) {
          const x = frac > 0 ? v / POW10[frac]! : v;
          vals[k] = neg ? -x : x;
        } else if (i === s && (c === 10 || c === 13) && k > 4) vals[k] = Number.NaN;
        else {
          vals[k] = slowField(b, s, k, file, ln);
          i = fieldEnd;
        }
      }
      // The separator: `,` after every column but the last, the line's end after it (else another field count).
      c = b[i]!;
      if (k < IJBA_LAST) {
        if (c !== 44) throw GIVE_UP;
        p = i + 1;
      } else if (c === 10) p = i + 1;
      else if (c === 13 && b[i + 1] === 10) p = i + 2;
      else throw GIVE_UP;
    }
    templateId[r] = vals[0]!;
    subjectId[r] = vals[1]!;
    mediaId[r] = vals[3]!;
    sightingId[r] = vals[4]!;
    const r3 = 3 * r;
    visibility[r3] = vals[17]!;
    visibility[r3 + 1] = vals[18]!;
    visibility[r3 + 2] = vals[19]!;
    if (!skip) {
      frame[r] = vals[5]!;
      const r4 = 4 * r;
      bbox[r4] = vals[6]!;
      bbox[r4 + 1] = vals[7]!;
      bbox[r4 + 2] = vals[8]!;
      bbox[r4 + 3] = vals[9]!;
      const r6 = 6 * r;
      landmarks[r6] = vals[10]!;
      landmarks[r6 + 1] = vals[11]!;
      landmarks[r6 + 2] = vals[12]!;
      landmarks[r6 + 3] = vals[13]!;
      landmarks[r6 + 4] = vals[14]!;
      landmarks[r6 + 5] = vals[15]!;
      yaw[r] = vals[16]!;
      const r5 = 5 * r;
      attributes[r5] = vals[20]!;
      attributes[r5 + 1] = vals[21]!;
      attributes[r5 + 2] = vals[22]!;
      attributes[r5 + 3] = vals[23]!;
      attributes[r5 + 4] = vals[24]!;
    }
    line[r] = ln;
    r++;
    ln++;
  }
  return r;
}

/**
 * Lines from byte p on that are not empty (they size the columns); indexOf finds line ends (memchr on a
 * Buffer). Its own function, like the row loops: a loop's optimized (OSR) code then ends at a `return`
 * whose feedback it has, instead of deoptimizing on code after the loop on every call.
 */
function countRows(b: Uint8Array, p: number): number {
  const n = b.length;
  let rows = 0;
  for (let i = p; i < n; ) {
    const c = b[i]!;
    if (c === 10) i++;
    else if (c === 13 && i + 1 < n && b[i + 1] === 10) i += 2;
    else {
      rows++;
      const e = b.indexOf(10, i);
      if (e < 0) break;
      i = e + 1;
    }
  }
  return rows;
}

/** The header line decoded as the whole file's decode has it (a BOM kept), invalid UTF-8 refused. */
const utf8FatalKeepBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Where a metadata file's rows start (after the header line's `\n`, or at the end of a file without
 * one), or −1 when the string parser would refuse the header (or it is not valid UTF-8): the exact
 * official header (after an optional BOM) is compared as bytes, any other goes through the string
 * parser's own check (BOM removed, fields trimmed and upper-cased).
 */
function rowsStart(b: Uint8Array): number {
  const n = b.length;
  const e = b.indexOf(10);
  const end = e < 0 ? n : e;
  const p = n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const H = HEADER_BYTES.length;
  let exact = end - p === H || (e >= 0 && end - p === H + 1 && b[end - 1] === 13);
  for (let i = 0; exact && i < H; i++) if (b[p + i] !== HEADER_BYTES[i]) exact = false;
  if (!exact) {
    let line: string;
    try {
      line = utf8FatalKeepBom.decode(b.subarray(0, end));
    } catch {
      return -1;
    }
    if (e >= 0 && line.endsWith('\r')) line = line.slice(0, -1);
    const header = line
      .replace(/^\uFEFF/, '')
      .split(',')
      .map((h) => h.trim().toUpperCase());
    if (header.length !== IJBA_COLUMNS.length || header.some((h, i) => h !== IJBA_COLUMNS[i])) return -1;
  }
  return e < 0 ? n : e + 1;
}

/**
 * The byte path of {@link parseIjbaMetadataBytes}: the result, or undefined (give the file to the string
 * parser). Exported for the tests (which check that plain files do not fall back); not part of the package API.
 */
export function ijbaMetadataFastPath(bytes: Uint8Array, file: string, columns: IjbaColumns = 'all'): IjbaMetadata | undefined {
  const p = rowsStart(bytes);
  if (p < 0) return undefined;
  // The row scanner needs a final `\n` (a file without one is copied with one added: the same rows and values).
  let b = bytes;
  if (b.length > 0 && b[b.length - 1] !== 10) {
    b = new Uint8Array(bytes.length + 1);
    b.set(bytes);
    b[bytes.length] = 10;
  }
  const rows = countRows(b, p);
  const m = allocIjbaMetadata(file, new Int32Array(rows), columns);
  let r: number;
  try {
    r = metadataRows(b, p, m, columns === 'scoring');
  } catch {
    return undefined;
  }
  return r === rows ? m : undefined;
}

/**
 * {@link parseIjbaMetadata} from the file's bytes (as `readFile(path)` gives them): the identical
 * result — every column, NaN / −1 convention, line number and FILE string — and, on malformed input,
 * the identical {@link IjbaFormatError}; plain files are read without decoding them as a whole. `columns`:
 * which to read ({@link IjbaColumns}).
 */
export function parseIjbaMetadataBytes(bytes: Uint8Array, file: string, columns: IjbaColumns = 'all'): IjbaMetadata {
  return ijbaMetadataFastPath(bytes, file, columns) ?? parseIjbaMetadata(decodeText(bytes), file, columns);
}

/** One plain TEMPLATE_ID at b[p..) (`-`? 1–10 digits, int32); sets `fieldEnd`, NaN when not plain. */
function scanId(b: Uint8Array, p: number, n: number): number {
  let i = p;
  const neg = i < n && b[i] === 45;
  if (neg) i++;
  const s = i;
  let v = 0;
  for (; i < n; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  fieldEnd = i;
  if (i === s || i - s > 10 || v > (neg ? 2147483648 : 2147483647)) return Number.NaN;
  return neg ? -v : v;
}

/** Lines of a file (`\n` count + 1; a loop in its own function, see {@link countRows}). */
function countLines(b: Uint8Array): number {
  let lines = 1;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
  return lines;
}

/**
 * The byte path of {@link parseIjbaComparisonsBytes}: the result, or undefined (give the file to the string
 * parser). Exported for the tests; not part of the package API.
 */
export function ijbaComparisonsFastPath(b: Uint8Array, file: string): IjbaComparisons | undefined {
  const cap = countLines(b);
  const a = new Int32Array(cap);
  const bb = new Int32Array(cap);
  const line = new Int32Array(cap);
  const r = comparisonRows(b, a, bb, line);
  return r < 0 ? undefined : { file, a: a.slice(0, r), b: bb.slice(0, r), line: line.slice(0, r) };
}

/** The pairs of a comparisons file into a, b, line; returns how many, or −1 (not plain: the string parser decides). */
function comparisonRows(b: Uint8Array, a: Int32Array, bb: Int32Array, line: Int32Array): number {
  const n = b.length;
  let r = 0;
  let ln = 1;
  let p = 0;
  while (p < n) {
    const c0 = b[p]!;
    if (c0 === 10) {
      p++;
      ln++;
      continue;
    }
    if (c0 === 13 && p + 1 < n && b[p + 1] === 10) {
      p += 2;
      ln++;
      continue;
    }
    const x = scanId(b, p, n);
    if (Number.isNaN(x) || fieldEnd >= n || b[fieldEnd] !== 44) return -1;
    const y = scanId(b, fieldEnd + 1, n);
    if (Number.isNaN(y)) return -1;
    const e = fieldEnd;
    if (e < n) {
      const c = b[e]!;
      if (c === 10) p = e + 1;
      else if (c === 13 && e + 1 < n && b[e + 1] === 10) p = e + 2;
      else return -1;
    } else p = n;
    a[r] = x;
    bb[r] = y;
    line[r] = ln;
    r++;
    ln++;
  }
  return r;
}

/**
 * {@link parseIjbaComparisons} from the file's bytes: the identical result (and, on malformed input,
 * the identical {@link IjbaFormatError}); plain files are read without decoding them as a whole.
 */
export function parseIjbaComparisonsBytes(bytes: Uint8Array, file: string): IjbaComparisons {
  return ijbaComparisonsFastPath(bytes, file) ?? parseIjbaComparisons(decodeText(bytes), file);
}

/** Row fields for {@link formatIjbaMetadata} (numbers may be NaN → empty field). */
export interface IjbaRow {
  templateId: number;
  subjectId: number;
  file: string;
  mediaId: number;
  sightingId: number;
  frame: number;
  bbox: ArrayLike<number>;
  landmarks: ArrayLike<number>;
  yaw: number;
  visibility: ArrayLike<number>;
}

const fmt = (x: number): string => (Number.isNaN(x) ? '' : String(x));

/** Writes rows in the official layout (header + one line per row); the 5 attribute columns are empty. */
export function formatIjbaMetadata(rows: readonly IjbaRow[]): string {
  const out = [IJBA_COLUMNS.join(',')];
  for (const r of rows) {
    out.push(
      [
        r.templateId,
        r.subjectId,
        r.file,
        r.mediaId < 0 ? '' : r.mediaId,
        r.sightingId,
        fmt(r.frame),
        ...Array.from(r.bbox, fmt),
        ...Array.from(r.landmarks, fmt),
        fmt(r.yaw),
        ...Array.from(r.visibility, fmt),
        '',
        '',
        '',
        '',
        '',
      ].join(','),
    );
  }
  return out.join('\n') + '\n';
}
