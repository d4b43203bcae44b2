/**
 * IJB-A protocol CSVs (official split layout, evaluation.md): `verify_metadata_N.csv`,
 * `search_probe_N.csv`, `search_gallery_N.csv` (25-column header, empty fields allowed) and
 * `verify_comparisons_N.csv` (two TEMPLATE_IDs per line, no header). Parsed into columnar typed
 * arrays; any malformed row is an {@link IjbaFormatError} naming the file, the line and the value.
 *
 * @module
 */

import { InterpretFrError } from '@interpret-fr/core';

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
 * An {@link IjbaMetadata} of `line.length` rows with every column allocated (zero-filled,
 * `filename` holey) — the one layout both readers (this CSV parser and `ijbaMetadataFromMat`) fill.
 */
export function allocIjbaMetadata(file: string, line: Int32Array): IjbaMetadata {
  const n = line.length;
  return {
    file,
    n,
    templateId: new Int32Array(n),
    subjectId: new Int32Array(n),
    mediaId: new Int32Array(n),
    sightingId: new Int32Array(n),
    filename: new Array<string>(n),
    frame: new Float64Array(n),
    bbox: new Float32Array(4 * n),
    landmarks: new Float32Array(6 * n),
    yaw: new Float32Array(n),
    visibility: new Float32Array(3 * n),
    attributes: new Float32Array(5 * n),
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

/** Parses a metadata/probe/gallery CSV (header required, exactly the 25 official columns). */
export function parseIjbaMetadata(text: string, file: string): IjbaMetadata {
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
  const m = allocIjbaMetadata(file, Int32Array.from(lineNo));
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
    m.filename[r] = fn;
    m.mediaId[r] = int(3, true);
    m.sightingId[r] = int(4, false);
    m.frame[r] = num(5);
    for (let k = 0; k < 4; k++) m.bbox[4 * r + k] = num(6 + k);
    for (let k = 0; k < 6; k++) m.landmarks[6 * r + k] = num(10 + k);
    m.yaw[r] = num(16);
    for (let k = 0; k < 3; k++) m.visibility[3 * r + k] = num(17 + k);
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
