/**
 * The fuzz targets: every parser and loader of the project, each with seed inputs (valid files),
 * mutations of them, and the invariants a returned result must satisfy.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import sharp from 'sharp';
import {
  checkpointFromParams,
  decodeCheckpoint,
  decodeImageBytes,
  encodeCheckpoint,
  ONNX_META,
  onnxMetadataEntry,
  onnxSealParts,
  paramInfos,
  presets,
  readOnnxInfo,
  Rng,
  sealOnnxModel,
  type Checkpoint,
  type HashParts,
  type SharpLike,
} from '@interpret-fr/core';
import { parseJsonText } from '@interpret-fr/core/node';
import {
  decodeNpy,
  encodeNpy,
  parseFaceTidMid,
  parseIds,
  parseIjbaComparisons,
  parseIjbaComparisonsBytes,
  parseIjbaMetadata,
  parseIjbaMetadataBytes,
  parseLfwPairs,
  parsePairList,
  parseTemplateCsv,
  parseTemplatePairs,
  syntheticIjba,
} from '@interpret-fr/eval';
import { inspectModel, resolveModelInfo, type OrtSessionLike } from '@interpret-fr/inference';
import { resolveConfig } from '@interpret-fr/trainer';
import { mutatedBytes, mutatedText, type FuzzTarget } from './harness.ts';

const enc = new TextEncoder();
/** node:crypto SHA-256 for the integrity check (same digest as core's, faster). */
const nodeSha256: HashParts = (parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_ONNX = resolve(here, '../../inference/test/fixtures/interpretable-tiny.onnx');

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const allFinite = (a: ArrayLike<number>): boolean => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
};

// ---- .npy ----
function npyTarget(): FuzzTarget<Uint8Array> {
  const rng = new Rng(5);
  const mats = [
    [3, 4],
    [1, 1],
    [0, 2],
    [5, 2],
  ].map(([n, d]) => Float32Array.from({ length: n! * d! }, () => rng.normal()));
  const seeds = mats.map((m, k) => encodeNpy(m, [3, 1, 0, 5][k]!, [4, 1, 2, 2][k]!));
  return {
    name: '.npy features',
    source: 'f.npy',
    arbitrary: mutatedBytes(seeds),
    run: (b) => decodeNpy(b, 'f.npy'),
    check: (b, r) => {
      const m = r as { data: Float32Array; n: number; dim: number };
      if (m.data.length !== m.n * m.dim) return `${m.data.length} values for (${m.n}, ${m.dim})`;
      if (!allFinite(m.data)) return 'non-finite value accepted';
      const k = seeds.findIndex((s) => sameBytes(s, b));
      if (k >= 0 && !sameBytes(new Uint8Array(mats[k]!.buffer), new Uint8Array(m.data.buffer))) return 'seed decoded to other values';
      return null;
    },
  };
}

// ---- ids ----
function idsTarget(): FuzzTarget<string> {
  return {
    name: 'ids.txt',
    source: 'ids.txt',
    arbitrary: mutatedText(['a/1.jpg\nb/2.jpg\nc d/3.png\n', '12\n13\n14', 'x\r\ny\r\n']),
    run: (t) => parseIds(t, 'ids.txt'),
    check: (_t, r) => ((r as string[]).some((id) => id === '' || id !== id.trim() || id.includes('\n')) ? 'empty or untrimmed id' : null),
  };
}

// ---- IJB-A ----
const ijba = syntheticIjba({ seed: 2, splits: 1, subjects: 6, gallerySubjects: 4 });
const ijbaText = (part: string): string => {
  const k = [...ijba.files.keys()].find((f) => f.includes(part))!;
  return ijba.files.get(k)!.split('\n').slice(0, 12).join('\n');
};
function ijbaMetaTarget(): FuzzTarget<string> {
  return {
    name: 'IJB-A metadata CSV',
    source: 'verify_metadata_1.csv',
    arbitrary: mutatedText([ijbaText('verify_metadata'), ijbaText('search_probe')]),
    run: (t) => parseIjbaMetadata(t, 'verify_metadata_1.csv'),
    check: (_t, r) => {
      const m = r as ReturnType<typeof parseIjbaMetadata>;
      const n = m.n;
      if (m.templateId.length !== n || m.filename.length !== n || m.bbox.length !== 4 * n || m.line.length !== n) return 'column lengths differ';
      if (m.filename.some((f) => f === '')) return 'empty FILE accepted';
      for (const a of [m.bbox, m.landmarks, m.yaw, m.visibility]) for (const v of a) if (v === Infinity || v === -Infinity) return 'infinite coordinate accepted';
      return null;
    },
  };
}
function ijbaCompTarget(): FuzzTarget<string> {
  return {
    name: 'IJB-A comparisons CSV',
    source: 'verify_comparisons_1.csv',
    arbitrary: mutatedText([ijbaText('verify_comparisons')]),
    run: (t) => parseIjbaComparisons(t, 'verify_comparisons_1.csv'),
    check: (t, r) => {
      const c = r as ReturnType<typeof parseIjbaComparisons>;
      if (c.a.length !== c.b.length || c.a.length !== c.line.length) return 'lengths differ';
      const ls = t.split(/\r?\n/);
      for (let i = 0; i < c.a.length; i++) {
        const f = ls[c.line[i]! - 1]!.split(',').map((x) => Number(x.trim()));
        if (f[0] !== c.a[i] || f[1] !== c.b[i]) return `line ${c.line[i]} parsed as ${c.a[i]},${c.b[i]}`;
      }
      return null;
    },
  };
}

/** A parser's outcome: its result, or its error. */
type Attempt = { ok: unknown } | { error: Error & { file?: unknown; line?: unknown } };
const attempt = (f: () => unknown): Attempt => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: e as Error };
  }
};
/** Bit-for-bit equality of two parse results (typed arrays by their bytes: NaN payloads and −0 count). */
function sameParse(x: unknown, y: unknown): boolean {
  if (ArrayBuffer.isView(x) || ArrayBuffer.isView(y)) {
    if (!ArrayBuffer.isView(x) || !ArrayBuffer.isView(y) || x.constructor !== y.constructor) return false;
    return sameBytes(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  }
  if (Array.isArray(x) || Array.isArray(y)) return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => sameParse(v, y[i]));
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x).sort();
    return kx.join() === Object.keys(y).sort().join() && kx.every((k) => sameParse((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
  }
  return Object.is(x, y);
}
/**
 * A byte entry point against its string parser on the same file: `readFile(path, 'utf8')` of the
 * bytes (Buffer#toString) through the string parser must give the same result bit for bit, or the
 * same error (class, message, file, line), whether the bytes come as a Buffer or a plain Uint8Array.
 * A disagreement is thrown as a plain Error (a crash in the table).
 */
function ijbaBytesTarget(
  name: string,
  source: string,
  seeds: string[],
  bytesParse: (b: Uint8Array, f: string) => unknown,
  textParse: (t: string, f: string) => unknown,
): FuzzTarget<Uint8Array> {
  return {
    name,
    source,
    arbitrary: fc.oneof(
      mutatedText(seeds).map((t) => enc.encode(t)),
      mutatedBytes(seeds.map((t) => enc.encode(t.replaceAll('\n', '\r\n')))),
    ),
    run: (b) => {
      const want = attempt(() => textParse(Buffer.from(b).toString('utf8'), source));
      for (const input of [Buffer.from(b), Uint8Array.from(b)]) {
        const got = attempt(() => bytesParse(input, source));
        const same =
          'ok' in want
            ? 'ok' in got && sameParse(got.ok, want.ok)
            : 'error' in got &&
              got.error.constructor === want.error.constructor &&
              got.error.message === want.error.message &&
              got.error.file === want.error.file &&
              got.error.line === want.error.line;
        if (!same)
          throw new Error(
            `byte and string parsers disagree (${input.constructor.name}): ${'ok' in got ? 'result' : got.error.message} vs ${'ok' in want ? 'result' : want.error.message}`,
          );
      }
      if ('error' in want) throw want.error;
      return want.ok;
    },
  };
}
function ijbaMetaBytesTarget(): FuzzTarget<Uint8Array> {
  // Besides the generator's rows: decimals, negatives, empty fields (MEDIA_ID −1, NaN), text attributes, odd forms, non-ASCII names.
  const header = ijbaText('verify_metadata').split('\n')[0]!;
  const odd = [
    '7,31,img/é 1.jpg,,9,,10.25,-3.5,100.125,120,40.5,50,80.75,50,60,75.001,-12.5,1,0,1,,Male,3,,0',
    '7,31, frame/42_7.png,12,10,0.3,0.1,0.2,0.3,0.4,-0,.5,5.,123456789.012345,1,2,3,,,,1,2,3,4,5',
    '8,-2,visage/日本.jpg,2147483647,-2147483648,-1.5, 1 ,2e3,NaN,,,,,,,,,,,,,,,,',
  ];
  return ijbaBytesTarget(
    'IJB-A metadata CSV bytes (= string parser)',
    'verify_metadata_1.csv',
    [ijbaText('verify_metadata'), ijbaText('search_probe'), `${header}\n${odd.join('\n')}\n`],
    parseIjbaMetadataBytes,
    parseIjbaMetadata,
  );
}
function ijbaMetaScoringBytesTarget(): FuzzTarget<Uint8Array> {
  // The same seeds, read for the columns scoring uses (`ijba --features`): both parsers skip the same columns.
  const header = ijbaText('verify_metadata').split('\n')[0]!;
  return ijbaBytesTarget(
    "IJB-A metadata CSV bytes, columns 'scoring' (= string parser)",
    'search_probe_1.csv',
    [ijbaText('search_probe'), `${header}\n7,31,img/1.jpg,,9,x,1e999,,,,,,,,,,NaN,1,0,1,,Male,3,,0\n`],
    (b, f) => parseIjbaMetadataBytes(b, f, 'scoring'),
    (t, f) => parseIjbaMetadata(t, f, 'scoring'),
  );
}
function ijbaCompBytesTarget(): FuzzTarget<Uint8Array> {
  return ijbaBytesTarget(
    'IJB-A comparisons CSV bytes (= string parser)',
    'verify_comparisons_1.csv',
    [ijbaText('verify_comparisons'), '1,2\n-5,2147483647\n\n0,-2147483648\n007,8'],
    parseIjbaComparisonsBytes,
    parseIjbaComparisons,
  );
}

// ---- IJB-C ----
function ijbcTidTarget(): FuzzTarget<Uint8Array> {
  const seed = enc.encode('img/1.jpg 1 1\nimg/2.jpg 1 2\nframes/3.png 2 3\nimg/4.jpg 3 3\n');
  return {
    name: 'IJB-C face_tid_mid',
    source: 'ijbc_face_tid_mid.txt',
    arbitrary: mutatedBytes([seed]),
    run: (b) => parseFaceTidMid(b, 'ijbc_face_tid_mid.txt'),
    check: (_b, r) => {
      const m = r as ReturnType<typeof parseFaceTidMid>;
      return m.names.length === m.templateId.length && m.names.length === m.mediaId.length ? null : 'lengths differ';
    },
  };
}
function ijbcPairsTarget(): FuzzTarget<Uint8Array> {
  const seed = enc.encode('1 2 0\n1 3 1\n2 3 0\n3 1 1\n');
  return {
    name: 'IJB-C template_pair_label',
    source: 'ijbc_template_pair_label.txt',
    arbitrary: mutatedBytes([seed]),
    run: (b) => parseTemplatePairs(b, 'ijbc_template_pair_label.txt'),
    check: (b, r) => {
      const p = r as ReturnType<typeof parseTemplatePairs>;
      if (p.a.length !== p.b.length || p.a.length !== p.label.length) return 'lengths differ';
      if (p.label.some((l) => l !== 0 && l !== 1)) return 'label not 0/1';
      const ls = new TextDecoder().decode(b).split('\n');
      for (let i = 0; i < p.a.length; i++) {
        const f = ls[p.line![i]! - 1]!.trim()
          .split(/[\s,]+/)
          .map(Number);
        if (f[0] !== p.a[i] || f[1] !== p.b[i]) return `line ${p.line![i]} parsed as ${p.a[i]} ${p.b[i]}`;
      }
      return null;
    },
  };
}
function ijbc1nTarget(): FuzzTarget<string> {
  return {
    name: 'IJB-C 1:N CSV',
    source: 'ijbc_1N_probe_mixed.csv',
    arbitrary: mutatedText(['TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,10,img/1.jpg\n1,10,img/2.jpg\n2,11,frames/3.png\n']),
    run: (t) => parseTemplateCsv(t, 'ijbc_1N_probe_mixed.csv'),
    check: (t, r) => {
      const c = r as ReturnType<typeof parseTemplateCsv>;
      if (c.templateId.length !== c.filename.length || c.subjectId.length !== c.filename.length) return 'lengths differ';
      const ls = t
        .split(/\r?\n/)
        .slice(1)
        .filter((l) => l.trim() !== '');
      const head = t
        .split(/\r?\n/)[0]!
        .replace(/^\uFEFF/, '')
        .split(',')
        .map((h) => h.trim().toUpperCase());
      const ct = head.indexOf('TEMPLATE_ID');
      for (let i = 0; i < ls.length; i++)
        if (Number(ls[i]!.split(',')[ct]) !== c.templateId[i]) return `row ${i + 1}: TEMPLATE_ID '${ls[i]!.split(',')[ct]}' stored as ${c.templateId[i]}`;
      return null;
    },
  };
}

// ---- pairs ----
function lfwTarget(): FuzzTarget<string> {
  return {
    name: 'LFW pairs.txt',
    source: 'pairs.txt',
    arbitrary: mutatedText(['2\t1\nAlice 1 2\nAlice 1 Bob 2\nCarol 3 4\nDan 1 Eve 1\n', '2\nAl 1 2\nBo 1 3\nAl 1 Bo 1\nCy 2 Di 1\n']),
    run: (t) => parseLfwPairs(t, 'pairs.txt'),
    check: (_t, r) => pairInvariants(r as ReturnType<typeof parseLfwPairs>),
  };
}
function pairListTarget(): FuzzTarget<string> {
  return {
    name: 'generic pair list',
    source: 'list.txt',
    arbitrary: mutatedText(['a/1.jpg b/1.jpg 1\n# comment\nc.jpg,d.jpg,0,1\ne.png f.png 0 2\n']),
    run: (t) => parsePairList(t, 'list.txt'),
    check: (_t, r) => pairInvariants(r as ReturnType<typeof parsePairList>),
  };
}
function pairInvariants(p: ReturnType<typeof parsePairList>): string | null {
  const n = p.a.length;
  if (p.b.length !== n || p.label.length !== n || p.fold.length !== n || p.line.length !== n) return 'lengths differ';
  if (p.label.some((l) => l !== 0 && l !== 1)) return 'label not 0/1';
  if (p.fold.some((f) => f < 0 || f >= p.nFolds)) return 'fold out of range';
  if (p.a.some((x) => x === '') || p.b.some((x) => x === '')) return 'empty image id';
  return null;
}

// ---- images ----
async function imageTarget(): Promise<FuzzTarget<Uint8Array>> {
  const pgm = Uint8Array.from([...enc.encode('P5\n4 3\n255\n'), ...Array.from({ length: 12 }, (_, i) => i * 20)]);
  const base = sharp({ create: { width: 8, height: 6, channels: 3, background: '#3a6b9c' } });
  const png = new Uint8Array(await base.clone().png().toBuffer());
  const jpg = new Uint8Array(await base.clone().jpeg().toBuffer());
  const maxPixels = 1_000_000;
  return {
    name: 'images (PGM/PNG/JPEG)',
    source: 'face.img',
    arbitrary: mutatedBytes([pgm, png, jpg]),
    run: async (b) => decodeImageBytes(b, sharp as unknown as SharpLike, { file: 'face.img', maxPixels }),
    check: (_b, r) => {
      const { pixels: p } = r as Awaited<ReturnType<typeof decodeImageBytes>>;
      if (p.channels !== 1 && p.channels !== 3 && p.channels !== 4) return `${p.channels} channels`;
      if (p.data.length !== p.width * p.height * p.channels) return 'buffer size mismatch';
      if (p.width * p.height > maxPixels) return 'pixel limit exceeded';
      return null;
    },
  };
}

// ---- ONNX ----
function onnxBytesTarget(): FuzzTarget<Uint8Array> {
  const model = new Uint8Array(readFileSync(FIXTURE_ONNX));
  return {
    name: 'ONNX model bytes (load check)',
    source: 'model.onnx',
    arbitrary: mutatedBytes([model]),
    run: (b) => inspectModel(b, 'model.onnx', { hashParts: nodeSha256 }),
    // The seal covers every byte: a changed file that loads is a modified model accepted.
    check: (b) => (sameBytes(b, model) ? null : 'a modified model passed the integrity check'),
  };
}
function onnxMetaTarget(): FuzzTarget<[boolean, string]> {
  const model = new Uint8Array(readFileSync(FIXTURE_ONNX));
  const unsealed = Buffer.concat(onnxSealParts(model).parts);
  const info = readOnnxInfo(model);
  const pre = info.metadata[ONNX_META.preprocess]!;
  const outs = info.metadata[ONNX_META.outputs]!;
  const session: OrtSessionLike = {
    inputNames: info.inputs.map((i) => i.name),
    outputNames: info.outputs.map((o) => o.name),
    run: () => Promise.reject(new Error('no')),
    release: () => Promise.resolve(),
  } as unknown as OrtSessionLike;
  return {
    name: 'ONNX metadata (re-sealed JSON)',
    source: 'model.onnx',
    arbitrary: fc.tuple(fc.boolean(), mutatedText([pre, outs])),
    // Later duplicates win: the mutated entry overrides the exporter's, and the file is re-sealed (a "valid" bad export).
    run: async ([which, text]) => {
      const bytes = sealOnnxModel(Buffer.concat([unsealed, onnxMetadataEntry(which ? ONNX_META.preprocess : ONNX_META.outputs, text)]));
      const onnx = await inspectModel(bytes, 'model.onnx', { hashParts: nodeSha256 });
      return resolveModelInfo(session, onnx, undefined, 'model.onnx');
    },
    check: (_i, r) => {
      const p = (r as ReturnType<typeof resolveModelInfo>).preprocess;
      if (!allFinite(p.mean) || !allFinite(p.scale) || p.scale.some((s) => s === 0)) return 'non-finite or zero preprocessing accepted';
      if (!Number.isInteger(p.size) || p.size < 1 || p.size > 4096) return `size ${p.size} accepted`;
      return null;
    },
  };
}
// ---- checkpoint (core codec) ----
function checkpointTarget(): FuzzTarget<[Uint8Array, Uint8Array]> {
  const spec = presets['interpretable-tiny']({ numClasses: 3 });
  const rng = new Rng(3);
  const params = new Map(paramInfos(spec).map((p) => [p.name, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.05)]));
  const ck = checkpointFromParams(spec, params, { step: 7 });
  const { manifest, weights } = encodeCheckpoint(ck);
  const ref = decodeCheckpoint(manifest, weights);
  const manifestBytes = enc.encode(manifest);
  return {
    name: 'checkpoint manifest + weights',
    source: 'manifest.json',
    arbitrary: fc.oneof(fc.tuple(mutatedBytes([manifestBytes]), fc.constant(weights)), fc.tuple(fc.constant(manifestBytes), mutatedBytes([weights]))),
    run: ([m, w]) => decodeCheckpoint(new TextDecoder().decode(m), w),
    namesSource: (msg) => msg.includes('manifest.json') || msg.includes('weights.bin'),
    check: (_i, r) => (sameCheckpoint(r as Checkpoint, ref) ? null : 'decoded to a different model'),
  };
}
function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  if (JSON.stringify(a.spec) !== JSON.stringify(b.spec) || a.tensors.length !== b.tensors.length) return false;
  return a.tensors.every((t, i) => {
    const u = b.tensors[i]!;
    return (
      t.name === u.name &&
      t.dtype === u.dtype &&
      t.shape.join() === u.shape.join() &&
      sameBytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength))
    );
  });
}

// ---- trainer config ----
function configTarget(): FuzzTarget<string> {
  const seeds = [
    '{"preset":"tiny","steps":100,"optimizer":{"lr":0.001}}',
    '{"batchSize":8,"data":{"cropSize":96,"sourceSize":110},"loss":{"sad":0.5}}',
    '{"epochs":2,"seed":3,"keepLast":2}',
  ];
  return {
    name: 'trainer config JSON',
    source: 'config.json',
    arbitrary: mutatedText(seeds),
    run: (t) => resolveConfig({ file: parseJsonText(t, 'config.json') }),
    // A config error names the file (syntax) or the key at fault.
    namesSource: (msg) => msg.includes('config.json') || /config|preset|key/i.test(msg),
    check: (_t, r) => {
      const bad: string[] = [];
      const walk = (v: unknown, path: string): void => {
        if (typeof v === 'number' && !Number.isFinite(v)) bad.push(path);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      };
      walk(r, 'config');
      const c = r as { batchSize: number; steps: number | null; epochs: number | null };
      if (!(Number.isInteger(c.batchSize) && c.batchSize > 0)) bad.push('batchSize');
      if (c.steps !== null && !(Number.isInteger(c.steps) && c.steps > 0)) bad.push('steps');
      return bad.length ? `accepted ${bad.join(', ')}` : null;
    },
  };
}

/** Every target, in table order. */
export async function allTargets(): Promise<FuzzTarget<never>[]> {
  return [
    checkpointTarget(),
    onnxBytesTarget(),
    onnxMetaTarget(),
    npyTarget(),
    idsTarget(),
    ijbaMetaTarget(),
    ijbaCompTarget(),
    ijbaMetaBytesTarget(),
    ijbaMetaScoringBytesTarget(),
    ijbaCompBytesTarget(),
    ijbcTidTarget(),
    ijbcPairsTarget(),
    ijbc1nTarget(),
    lfwTarget(),
    pairListTarget(),
    await imageTarget(),
    configTarget(),
  ] as unknown as FuzzTarget<never>[];
}
