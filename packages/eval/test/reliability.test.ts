/**
 * Regression tests for issue 11 (eval side): non-finite features, duplicate splits, paths leaving the
 * data root, data-sized pair lists, numeric flags, one-line errors.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { capture } from './helpers/capture.ts';
import { decodeNpy, encodeNpy, NpyError } from '../src/io/npy.ts';
import { evaluateIjba, featureTable, FeatureValueError } from '../src/protocols/ijba.ts';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';
import { IJBA_COLUMNS } from '../src/protocols/ijba-csv.ts';
import { evaluatePairScores, parsePairList } from '../src/protocols/pairs.ts';
import { verificationMetrics } from '../src/metrics/roc.ts';
import { prepareTemplates, scoreTemplatePairs } from '../src/scores/template-scores.ts';
import { buildTemplates } from '../src/scores/templates.ts';
import { writeFeatures, writeFileMap } from '../src/io/files.ts';
import { loadListDataset } from '../src/io/list-dataset.ts';
import { lineChartSvg } from '@interpret-fr/core';

/** .npy bytes of `data` with the value at `index` replaced by `bad` (encodeNpy itself refuses non-finite values). */
function npyWith(data: Float32Array, n: number, dim: number, index: number, bad: number): Uint8Array {
  const bytes = encodeNpy(data, n, dim);
  const off = bytes.length - data.byteLength + 4 * index;
  new DataView(bytes.buffer).setFloat32(off, bad, true);
  return bytes;
}

describe('non-finite features are refused with their source and row (issue 11.1)', () => {
  it('decodeNpy names the file, the row and the column', () => {
    const d = new Float32Array(12).fill(0.5);
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(() => decodeNpy(npyWith(d, 4, 3, 7, bad), 'feats.npy')).toThrow(NpyError);
      expect(() => decodeNpy(npyWith(d, 4, 3, 7, bad), 'feats.npy')).toThrow(/^feats\.npy: row 2 \(0-based\), column 1 is (NaN|-?Infinity)/);
    }
    expect(() => encodeNpy(Float32Array.of(1, Number.NaN), 1, 2)).toThrow(/row 0, column 1 is NaN/);
  });

  it('featureTable names the source, row and id', () => {
    const f = { data: Float32Array.of(1, 0, Number.NaN, 1), n: 2, dim: 2 };
    expect(() => featureTable(f, ['a', 'b'], 'model.onnx')).toThrow(FeatureValueError);
    expect(() => featureTable(f, ['a', 'b'], 'model.onnx')).toThrow("model.onnx: row 1 (0-based): id 'b', value 0 is NaN");
  });

  it('set-min-mean propagates a NaN cosine instead of skipping it with `>`', () => {
    // Two templates of two images each; one image has a NaN feature.
    const unit = Float32Array.of(1, 0, 0.6, 0.8, Number.NaN, 0, 0, 1);
    const T = buildTemplates(Int32Array.of(1, 1, 2, 2), Int32Array.of(0, 1, 2, 3), Int32Array.of(0, 0, 1, 1));
    for (const score of ['set-min-mean', 'set-min-mean-matlab'] as const) {
      const P = prepareTemplates({ data: unit, n: 4, dim: 2 }, T, score, unit);
      const s = scoreTemplatePairs(P, P, Int32Array.of(0), Int32Array.of(1));
      expect(Number.isNaN(s[0]!)).toBe(true); // main: a finite score computed without the NaN image
    }
  });

  it('a NaN score names the pair (file and line), not only its index', () => {
    const p = parsePairList('a b 1\n# c\nc d 0\ne f 1\n', 'list.txt');
    const scores = Float32Array.of(0.9, 0.1, Number.NaN);
    expect(() => verificationMetrics(scores, p.label, { describePair: (i) => `list.txt:${p.line[i]}` })).toThrow('roc: the score of list.txt:4 is NaN');
    expect(() => evaluatePairScores(scores, p.label, p.fold, 1)).toThrow(/pair 2 \(0-based\) is NaN/);
  });

  it('IJB-A: one NaN feature is an error naming the .npy file and row (main: AUC changed, exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-ijba-'));
    const syn = syntheticIjba({ seed: 3, splits: 2, subjects: 20, gallerySubjects: 12 });
    await writeFileMap(join(dir, 'protocol'), syn.files);
    await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
    writeFileSync(join(dir, 'nan.npy'), npyWith(syn.features, syn.ids.length, syn.dim, 5 * syn.dim + 2, Number.NaN));
    for (const score of ['set-min-mean', 'set-min-mean-matlab', 'mean-feature']) {
      const io = capture();
      const code = await main(
        [
          'ijba',
          '--protocol',
          join(dir, 'protocol'),
          '--splits',
          '1,2',
          '--features',
          join(dir, 'nan.npy'),
          '--ids',
          join(dir, 'ids.txt'),
          '--out',
          join(dir, 'out'),
          '--score',
          score,
        ],
        io,
      );
      expect(code).toBe(1);
      expect(io.e).toBe(`interpret-fr-eval ijba: ${join(dir, 'nan.npy')}: row 5 (0-based), column 2 is NaN: features must be finite\n`);
    }
    // All-NaN features through the API (main: TAR@FAR=0.01 100 %).
    const all = { data: new Float32Array(syn.features.length).fill(Number.NaN), n: syn.ids.length, dim: syn.dim };
    expect(() => evaluateIjba([], featureTable(all, syn.ids, 'all-nan'))).toThrow(/all-nan: row 0/);
  });
});

describe('CLI flags and inputs (issue 11.5, 11.13)', () => {
  it('--splits 1,1 is refused (main: split 1 counted twice)', async () => {
    const io = capture();
    expect(await main(['ijba', '--protocol', '/nonexistent', '--features', 'f', '--ids', 'i', '--out', '/tmp/x', '--splits', '1,1'], io)).toBe(2);
    expect(io.e).toMatch(/^interpret-fr-eval ijba: --splits: "1,1" lists split 1 twice/);
    const io2 = capture();
    expect(await main(['ijba', '--protocol', '/nonexistent', '--features', 'f', '--ids', 'i', '--out', '/tmp/x', '--splits', '1,,x'], io2)).toBe(2);
  });

  it('--max-images=-5, --seed abc, --batch 0 are one-line usage errors (main: Invalid typed array length)', async () => {
    for (const [cmd, flag] of [
      ['occlusion', '--max-images=-5'],
      ['synthetic', '--max-images=1.5'],
      ['synthetic', '--seed=abc'],
      ['peaks', '--max-images=0'],
    ] as const) {
      const io = capture();
      const code = await main([cmd, '--model', 'm.onnx', '--data', '/nonexistent', '--out', '/tmp/x', flag], io);
      expect(code).toBe(2);
      expect(io.e.split('\n')[0]).toMatch(new RegExp(`^interpret-fr-eval ${cmd}: --(max-images|seed): expected an integer.*, got "`));
    }
    await expect(loadListDataset('/nonexistent', { maxImages: -5 })).rejects.toThrow(/maxImages must be a positive integer, got -5/);
  });

  it('a generic pair list of 200k lines parses (main: Maximum call stack size exceeded in Math.max(...folds))', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`a${i}.jpg b${i}.jpg ${i % 2} ${i % 10}`);
    const p = parsePairList(lines.join('\n'), 'big.txt');
    expect(p.a.length).toBe(200_000);
    expect(p.nFolds).toBe(10);
    const x = Float64Array.from({ length: 300_000 }, (_, i) => i + 1);
    expect(lineChartSvg([{ name: 'big', x, y: x }], { title: 't', xLabel: 'x', yLabel: 'y' })).toMatch(/^<svg/);
  });
});

describe('paths from data files stay under their root (issue 11.11)', () => {
  it('a pairs id with ../ is refused naming file:line; --allow-outside-root reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-trav-'));
    mkdirSync(join(dir, 'root'));
    writeFileSync(join(dir, 'pairs.txt'), 'a.pgm b.pgm 1\n../secret.pgm a.pgm 0\n');
    const io = capture();
    const code = await main(['pairs', '--pairs', join(dir, 'pairs.txt'), '--model', join(dir, 'missing.onnx'), '--images', join(dir, 'root'), '--out', join(dir, 'out')], io);
    expect(code).toBe(1);
    expect(io.e).toBe(
      `interpret-fr-eval pairs: ${join(dir, 'pairs.txt')}:2: path '../secret.pgm' leaves the data root '${join(dir, 'root')}' (absolute or '..'); paths in data files must stay under the root (pass --allow-outside-root to allow it)\n`,
    );
  });

  it('an IJB-A FILE column with an absolute path or ../ is refused naming file:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-ijba-trav-'));
    const syn = syntheticIjba({ seed: 3, splits: 1, subjects: 20, gallerySubjects: 12 });
    const files = new Map(syn.files);
    const key = [...files.keys()].find((k) => k.includes('search_probe'))!;
    const text = files.get(key)!.split('\n');
    const f = text[3]!.split(',');
    f[2] = '../../etc/passwd';
    text[3] = f.join(',');
    files.set(key, text.join('\n'));
    await writeFileMap(join(dir, 'protocol'), files);
    const io = capture();
    const code = await main(
      ['ijba', '--protocol', join(dir, 'protocol'), '--splits', '1', '--model', join(dir, 'missing.onnx'), '--images', join(dir, 'img'), '--out', join(dir, 'out')],
      io,
    );
    expect(code).toBe(1);
    expect(io.e).toMatch(/^interpret-fr-eval ijba: .*search_probe_1\.csv:4 \(FILE\): path '\.\.\/\.\.\/etc\/passwd' leaves the data root/);
  });

  it('ijba --features does not read the columns scoring does not use (FACE_X): the same report; --model does, and refuses the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-ijba-cols-'));
    const syn = syntheticIjba({ seed: 3, splits: 1, subjects: 20, gallerySubjects: 12 });
    await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
    const files = new Map(syn.files);
    const key = [...files.keys()].find((k) => k.includes('search_probe'))!;
    /** The protocol with field k of the probe file's 4th line replaced. */
    const withField = async (name: string, k: number, v: string): Promise<string> => {
      const text = files.get(key)!.split('\n');
      const f = text[3]!.split(',');
      f[k] = v;
      text[3] = f.join(',');
      await writeFileMap(join(dir, name), new Map([...files, [key, text.join('\n')]]));
      return join(dir, name);
    };
    await writeFileMap(join(dir, 'ok'), files);
    const run = async (protocol: string, out: string, extra: string[] = ['--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt')]) => {
      const io = capture();
      const code = await main(['ijba', '--protocol', protocol, '--splits', '1', ...extra, '--out', join(dir, out)], io);
      return { code, e: io.e };
    };
    expect((await run(join(dir, 'ok'), 'out-ok')).code).toBe(0);
    const faceX = await withField('face-x', IJBA_COLUMNS.indexOf('FACE_X'), 'abc');
    // Exit 0, only the progress line on stderr.
    expect(await run(faceX, 'out-face-x')).toEqual({ code: 0, e: '{"what":"ijba","split":1,"done":1,"total":1}\n' });
    const report = (out: string) => {
      const r = JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8'));
      expect(r.verify).toBeDefined();
      return JSON.stringify([r.verify, r.search, r.auc, r.eer, r.counts, r.perSplit]);
    };
    expect(report('out-face-x')).toBe(report('out-ok'));
    // A column that scoring reads is still checked.
    const subject = await withField('subject', IJBA_COLUMNS.indexOf('SUBJECT_ID'), 'abc');
    const bad = await run(subject, 'out-subject');
    expect(bad.code).toBe(1);
    expect(bad.e).toMatch(/^interpret-fr-eval ijba: .*search_probe_1\.csv:4: SUBJECT_ID = 'abc', expected an integer\n$/);
    // FILE, which scoring keeps only where it is not a plain relative path, is still checked: it must stay under
    // the image root, untrimmed or trimmed, and not be empty; --allow-outside-root reads it (the same report).
    const fileCol = IJBA_COLUMNS.indexOf('FILE');
    for (const [i, v] of ['../../etc/passwd', ' /etc/passwd', 'C:\\x.jpg', 'img/../../x.jpg'].entries()) {
      const escaping = await withField(`file-${i}`, fileCol, v);
      const r = await run(escaping, `out-file-${i}`);
      expect(r.code, v).toBe(1);
      expect(r.e).toBe(
        `interpret-fr-eval ijba: ${join(escaping, 'split1', 'search_probe_1.csv')}:4 (FILE): path '${v.trim()}' leaves the data root '--images' (absolute or '..'); paths in data files must stay under the root (pass --allow-outside-root to allow it)\n`,
      );
      const allowed = await run(escaping, `out-file-ok-${i}`, ['--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--allow-outside-root']);
      expect(allowed.code, v).toBe(0);
      expect(report(`out-file-ok-${i}`)).toBe(report('out-ok'));
    }
    const empty = await run(await withField('file-empty', fileCol, ' '), 'out-file-empty');
    expect(empty.code).toBe(1);
    expect(empty.e).toMatch(/^interpret-fr-eval ijba: .*search_probe_1\.csv:4: FILE is empty\n$/);
    // Extraction reads the box: the same FACE_X is an error there, before any model is loaded.
    const m = await run(faceX, 'out-model', ['--model', join(dir, 'missing.onnx'), '--images', join(dir, 'img')]);
    expect(m.code).toBe(1);
    expect(m.e).toMatch(/^interpret-fr-eval ijba: .*search_probe_1\.csv:4: FACE_X = 'abc', expected a number or an empty field\n$/);
  });

  it('a list dataset entry outside its folder is refused naming list.txt:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-list-'));
    mkdirSync(join(dir, 'images'));
    writeFileSync(join(dir, 'images', 'a.pgm'), Buffer.concat([Buffer.from('P5\n2 2\n255\n'), Buffer.from([1, 2, 3, 4])]));
    writeFileSync(join(dir, 'outside.pgm'), Buffer.concat([Buffer.from('P5\n2 2\n255\n'), Buffer.from([1, 2, 3, 4])]));
    writeFileSync(join(dir, 'images', 'list.txt'), 'a.pgm,0\n../outside.pgm,1\n');
    await expect(loadListDataset(join(dir, 'images'))).rejects.toThrow(`${join(dir, 'images', 'list.txt')}:2: path '../outside.pgm' leaves the data root`);
    const ok = await loadListDataset(join(dir, 'images'), { allowOutsideRoot: true });
    expect(ok.images.length).toBe(2);
  });
});

describe('one bad image does not abort an evaluation (issue 11.14)', () => {
  const fixture = join(import.meta.dirname, '../../inference/test/fixtures/interpretable-tiny.onnx');

  it('pairs --model: a corrupt image is skipped, counted in report.json and its pairs skipped (main: the whole run aborted)', async () => {
    const sharp = (await import('sharp')).default;
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'rel-bad-img-'));
    mkdirSync(join(dir, 'img'));
    const shades = ['#202020', '#404040', '#606060', '#808080', '#a0a0a0', '#c0c0c0'];
    for (const [k, c] of shades.entries())
      writeFileSync(
        join(dir, 'img', `${k}.png`),
        await sharp({ create: { width: 48, height: 48, channels: 3, background: c } })
          .png()
          .toBuffer(),
      );
    const good = readFileSync(join(dir, 'img', '5.png'));
    writeFileSync(join(dir, 'img', '5.png'), good.subarray(0, 40)); // truncated
    writeFileSync(join(dir, 'pairs.txt'), '0.png 1.png 1\n2.png 3.png 1\n0.png 4.png 0\n1.png 5.png 0\n3.png 4.png 0\n2.png 1.png 1\n');
    const io = capture();
    const code = await main(['pairs', '--format', 'list', '--pairs', join(dir, 'pairs.txt'), '--model', fixture, '--images', join(dir, 'img'), '--out', join(dir, 'out')], io);
    expect(io.e).toContain('skipped 1 undecodable image(s)');
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.skippedImages.count).toBe(1);
    expect(r.skippedImages.images[0].id).toBe('5.png');
    expect(r.skippedImages.images[0].reason).toMatch(/5\.png: not a readable image/);
    expect(r.counts).toEqual({ pairs: 5, skippedPairs: 1 });
  });

  it('a model that fails to load is one line naming it, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-bad-model-'));
    writeFileSync(join(dir, 'pairs.txt'), 'a.png b.png 1\n');
    writeFileSync(join(dir, 'bad.onnx'), new Uint8Array([8, 7, 0x3a, 0x05, 1, 2]));
    const io = capture();
    const code = await main(['pairs', '--format', 'list', '--pairs', join(dir, 'pairs.txt'), '--model', join(dir, 'bad.onnx'), '--images', dir, '--out', join(dir, 'out')], io);
    expect(code).toBe(1);
    expect(io.e.trim().split('\n')).toHaveLength(1);
    expect(io.e).toContain(join(dir, 'bad.onnx'));
    expect(io.e).not.toMatch(/\n\s+at /);
  });

  it('list datasets skip an undecodable image and report it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-list-bad-'));
    const pgm = (v: number): Buffer => Buffer.concat([Buffer.from('P5\n2 2\n255\n'), Buffer.from([v, v, v, v])]);
    writeFileSync(join(dir, 'a.pgm'), pgm(1));
    writeFileSync(join(dir, 'b.pgm'), Buffer.from('P5\n2 2\n255\n'));
    writeFileSync(join(dir, 'c.pgm'), pgm(3));
    writeFileSync(join(dir, 'list.txt'), 'a.pgm,0\nb.pgm,1\nc.pgm,2\n');
    const d = await loadListDataset(dir);
    expect(d.images.length).toBe(2);
    expect(Array.from(d.labels)).toEqual([0, 2]);
    expect(d.skipped).toEqual([{ id: 'b.pgm', reason: `${join(dir, 'b.pgm')}: PGM has 0 data bytes, 2×2 needs 4` }]);
  });
});
