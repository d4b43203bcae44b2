/**
 * IJB-A protocol files as released with the original code (method.md §6.4): MAT v5 files
 * `verify_metadata_N.mat`, `search_probe_N.mat`, `search_gallery_N.mat` (one row per sighting:
 * templateID, subjectID, mediaID, sightingID, frame, filename, bbox(4), landmark(6), faceYaw,
 * visibility(3), indoor, gender, skinTone, age, facialHair) and `verify_comparisons_N.mat`
 * (`comparison`, #pairs × 2 TEMPLATE_IDs), converted into the same columnar tables as the CSV
 * readers, so every later step is shared.
 *
 * Accepted shapes (field names case-insensitive, underscores ignored): one struct variable that is
 * either scalar with one column per field (N × k numeric; `filename` an N × 1 cell of char or an
 * N × L char matrix) or an N-element struct array with one row's values per element; or the fields
 * as separate top-level variables. Errors are {@link IjbaFormatError}s naming the file and the row
 * (`file:row: …`) or the field.
 *
 * @module
 */
import { allocIjbaMetadata, IjbaFormatError, type IjbaComparisons, type IjbaMetadata } from './ijba-csv.ts';
import { MatFormatError, matCharRows, matNumel, type MatFile, type MatValue } from '../io/mat.ts';

const norm = (s: string): string => s.toLowerCase().replace(/_/g, '');

/** Field → accepted names (normalised). */
const FIELDS = {
  templateId: ['templateid'],
  subjectId: ['subjectid'],
  mediaId: ['mediaid'],
  sightingId: ['sightingid'],
  frame: ['frame'],
  filename: ['filename', 'file'],
  bbox: ['bbox'],
  landmark: ['landmark', 'landmarks'],
  yaw: ['faceyaw', 'yaw'],
  visibility: ['visibility'],
  indoor: ['indoor'],
  gender: ['gender'],
  skinTone: ['skintone'],
  age: ['age'],
  facialHair: ['facialhair'],
} as const;
type Field = keyof typeof FIELDS;

/** Column accessors over one of the accepted shapes. */
interface Table {
  n: number;
  has(f: Field): boolean;
  /** k numbers of row r (NaN for text or missing values). */
  nums(f: Field, r: number, k: number): number[];
  text(f: Field, r: number): string;
}

function textOf(v: MatValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'char') return matCharRows(v).join('');
  if (v.kind === 'cell' && v.cells.length === 1) return textOf(v.cells[0]);
  return undefined;
}

function lookup(names: Iterable<string>): (f: Field) => string | undefined {
  const byNorm = new Map<string, string>();
  for (const n of names) byNorm.set(norm(n), n);
  return (f) => {
    for (const a of FIELDS[f]) {
      const hit = byNorm.get(a);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
}

/** Columns given as N × k arrays (fields of a scalar struct, or top-level variables). */
function columnTable(file: string, get: (f: Field) => MatValue | undefined): Table {
  const tv = get('templateId');
  if (!tv) throw new MatFormatError(file, "no 'templateID' field or variable (method.md §6.4)");
  const n = tv.dims.length === 2 && (tv.dims[0] === 1 || tv.dims[1] === 1) ? matNumel(tv) : tv.dims[0]!;
  const at = (f: Field, v: MatValue, k: number): ((r: number, c: number) => number) => {
    if (v.kind !== 'numeric') {
      if (f === 'gender' || f === 'skinTone') return () => Number.NaN; // text attributes, as the CSV reader
      throw new MatFormatError(file, `field '${f}' is a ${v.kind} array, expected numbers`);
    }
    const [d0 = 0, d1 = 0] = v.dims;
    if (k === 1 && matNumel(v) === n) return (r) => Number(v.real[r]!);
    if (d0 === n && d1 === k) return (r, c) => Number(v.real[c * n + r]!);
    if (d0 === k && d1 === n) return (r, c) => Number(v.real[r * k + c]!);
    throw new MatFormatError(file, `field '${f}' is ${v.dims.join('×')}, expected ${n}×${k} (one row per sighting)`);
  };
  let names: string[] | undefined;
  return {
    n,
    has: (f) => get(f) !== undefined,
    nums: (f, r, k) => {
      const v = get(f);
      if (!v) return new Array<number>(k).fill(Number.NaN);
      const g = at(f, v, k);
      return Array.from({ length: k }, (_, c) => g(r, c));
    },
    text: (f, r) => {
      if (!names) {
        const v = get(f);
        if (!v) throw new MatFormatError(file, "no 'filename' field or variable (method.md §6.4)");
        if (v.kind === 'char') names = matCharRows(v);
        else if (v.kind === 'cell')
          names = v.cells.map((c, i) => {
            const s = textOf(c);
            if (s === undefined) throw new IjbaFormatError(file, i + 1, `filename cell holds a ${c.kind} array, expected text`);
            return s;
          });
        else throw new MatFormatError(file, `field 'filename' is a ${v.kind} array, expected a cell of text or a char matrix`);
        if (names.length !== n) throw new MatFormatError(file, `'filename' has ${names.length} rows, 'templateID' has ${n}`);
      }
      return names[r]!;
    },
  };
}

/** An N-element struct array: one row per element. */
function structArrayTable(file: string, s: Extract<MatValue, { kind: 'struct' }>): Table {
  const name = lookup(s.fields);
  if (!name('templateId')) throw new MatFormatError(file, `struct fields ${s.fields.join(', ')} have no 'templateID' (method.md §6.4)`);
  return {
    n: s.elements.length,
    has: (f) => name(f) !== undefined,
    nums: (f, r, k) => {
      const key = name(f);
      const v = key === undefined ? undefined : s.elements[r]![key];
      if (v?.kind !== 'numeric') {
        if (v && v.kind !== 'char' && v.kind !== 'cell') throw new IjbaFormatError(file, r + 1, `field '${key}' is a ${v.kind} array, expected numbers`);
        return new Array<number>(k).fill(Number.NaN);
      }
      if (v.real.length === 0) return new Array<number>(k).fill(Number.NaN);
      if (v.real.length !== k) throw new IjbaFormatError(file, r + 1, `field '${key}' has ${v.real.length} values, expected ${k}`);
      return Array.from(v.real, Number);
    },
    text: (f, r) => {
      const key = name(f);
      const s2 = key === undefined ? undefined : textOf(s.elements[r]![key]);
      if (s2 === undefined) throw new IjbaFormatError(file, r + 1, `field '${key ?? 'filename'}' is missing or not text`);
      return s2;
    },
  };
}

function tableOf(mat: MatFile, file: string): Table {
  const structs = [...mat.variables.values()].filter((v): v is Extract<MatValue, { kind: 'struct' }> => v.kind === 'struct');
  const topName = lookup(mat.variables.keys());
  if (topName('templateId'))
    return columnTable(file, (f) => {
      const k = topName(f);
      return k === undefined ? undefined : mat.variables.get(k);
    });
  if (structs.length !== 1)
    throw new MatFormatError(file, `expected one struct variable or a 'templateID' variable, found variables ${[...mat.variables.keys()].join(', ') || '(none)'}`);
  const s = structs[0]!;
  if (s.elements.length === 1) {
    const name = lookup(s.fields);
    const rec = s.elements[0]!;
    const t = columnTable(file, (f) => {
      const k = name(f);
      return k === undefined ? undefined : rec[k];
    });
    // A 1-element struct array whose fields are scalars is also a one-row table: both readings agree.
    return t;
  }
  return structArrayTable(file, s);
}

const int32 = (file: string, r: number, f: string, x: number, optional: boolean): number => {
  if (Number.isNaN(x) && optional) return -1;
  if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) throw new IjbaFormatError(file, r + 1, `${f} = ${x}, expected an integer`);
  return x;
};

/** Converts a parsed `verify_metadata_N.mat` / `search_probe_N.mat` / `search_gallery_N.mat`. Row r is reported as line r + 1. */
export function ijbaMetadataFromMat(mat: MatFile, file: string): IjbaMetadata {
  const t = tableOf(mat, file);
  const n = t.n;
  const m = allocIjbaMetadata(
    file,
    Int32Array.from({ length: n }, (_, r) => r + 1),
  );
  for (const f of ['subjectId', 'sightingId', 'filename'] as const) if (!t.has(f)) throw new MatFormatError(file, `no '${FIELDS[f][0]}' field (method.md §6.4)`);
  for (let r = 0; r < n; r++) {
    m.templateId[r] = int32(file, r, 'templateID', t.nums('templateId', r, 1)[0]!, false);
    m.subjectId[r] = int32(file, r, 'subjectID', t.nums('subjectId', r, 1)[0]!, false);
    m.mediaId[r] = int32(file, r, 'mediaID', t.nums('mediaId', r, 1)[0]!, true);
    m.sightingId[r] = int32(file, r, 'sightingID', t.nums('sightingId', r, 1)[0]!, false);
    const fn = t.text('filename', r).trim();
    if (fn === '') throw new IjbaFormatError(file, r + 1, 'filename is empty');
    m.filename[r] = fn;
    m.frame[r] = t.nums('frame', r, 1)[0]!;
    m.bbox.set(t.nums('bbox', r, 4), 4 * r);
    m.landmarks.set(t.nums('landmark', r, 6), 6 * r);
    m.yaw[r] = t.nums('yaw', r, 1)[0]!;
    m.visibility.set(t.nums('visibility', r, 3), 3 * r);
    (['indoor', 'gender', 'skinTone', 'age', 'facialHair'] as const).forEach((f, k) => {
      m.attributes[5 * r + k] = t.nums(f, r, 1)[0]!;
    });
  }
  return m;
}

/** Converts a parsed `verify_comparisons_N.mat` (`comparison`: #pairs × 2 TEMPLATE_IDs). Pair p is line p + 1. */
export function ijbaComparisonsFromMat(mat: MatFile, file: string): IjbaComparisons {
  let v = mat.variables.get('comparison');
  if (!v) {
    const numeric = [...mat.variables.entries()].filter(([, x]) => x.kind === 'numeric');
    if (numeric.length !== 1) throw new MatFormatError(file, `no 'comparison' variable (method.md §6.4); variables: ${[...mat.variables.keys()].join(', ') || '(none)'}`);
    v = numeric[0]![1];
  }
  if (v.kind !== 'numeric') throw new MatFormatError(file, `'comparison' is a ${v.kind} array, expected #pairs × 2 numbers`);
  const [d0 = 0, d1 = 0] = v.dims;
  if (v.dims.length !== 2 || (d1 !== 2 && d0 !== 2)) throw new MatFormatError(file, `'comparison' is ${v.dims.join('×')}, expected #pairs × 2`);
  const P = d1 === 2 ? d0 : d1;
  const get = d1 === 2 ? (p: number, c: number) => Number(v.real[c * P + p]!) : (p: number, c: number) => Number(v.real[p * 2 + c]!);
  const a = new Int32Array(P);
  const b = new Int32Array(P);
  for (let p = 0; p < P; p++) {
    a[p] = int32(file, p, 'first TEMPLATE_ID', get(p, 0), false);
    b[p] = int32(file, p, 'second TEMPLATE_ID', get(p, 1), false);
  }
  return { file, a, b, line: Int32Array.from({ length: P }, (_, p) => p + 1) };
}
