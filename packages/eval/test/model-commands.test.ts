import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { syntheticDataset } from '@interpret-fr/core';
import { main } from '../src/cli/main.ts';
import { capture } from './helpers/capture.ts';

const fixture = resolve(__dirname, '../../inference/test/fixtures/interpretable-tiny.onnx');
const have = existsSync(fixture);
if (!have) console.warn(`[eval] SKIPPING model-driven CLI tests: ${fixture} not found (made by the inference package)`);

async function writeSet(dir: string): Promise<void> {
  const list: string[] = [];
  const lms: string[] = [];
  for (const s of syntheticDataset({ seed: 5, identities: 6, imagesPerIdentity: 4, occluderRate: 0 })) {
    const rel = `images/${String(s.identity).padStart(4, '0')}/${String(s.index).padStart(4, '0')}.png`;
    mkdirSync(join(dir, 'images', String(s.identity).padStart(4, '0')), { recursive: true });
    writeFileSync(
      join(dir, rel),
      await sharp(s.pixels, { raw: { width: 110, height: 110, channels: 3 } })
        .png()
        .toBuffer(),
    );
    list.push(`${rel},${s.identity}`);
    lms.push(Array.from(s.landmarks, (v) => v.toFixed(3)).join(','));
  }
  writeFileSync(join(dir, 'list.txt'), list.join('\n') + '\n');
  writeFileSync(join(dir, 'landmarks.txt'), lms.join('\n') + '\n');
}

describe.skipIf(!have)('model-driven commands on the fixture ONNX and a synthetic set', () => {
  it('synthetic, occlusion and peaks write consistent reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-syn-'));
    await writeSet(join(dir, 'data'));
    const io = capture();
    const code = await main(['synthetic', '--model', fixture, '--data', join(dir, 'data'), '--out', join(dir, 'out')], io);
    expect(io.e.split('\n').filter((l) => l && !l.includes('"progress"'))).toEqual([]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.protocol).toBe('synthetic');
    expect(r.counts.images).toBe(24);
    expect(r.accuracy.folds).toHaveLength(10);
    for (const x of [r.accuracy.mean, r.auc, r.eer]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    // Same pairs, same clean features: the occlusion study's clean AUC equals the pairs AUC.
    expect(r.occlusion.clean.auc).toBeCloseTo(r.auc, 6);
    expect(Object.keys(r.occlusion.regions)).toEqual(['forehead', 'left-eye', 'right-eye', 'nose', 'mouth', 'cheek']);
    const dim = r.occlusion.regions.nose.meanAbsDelta.length;
    expect(dim).toBeGreaterThan(0);
    expect(r.occlusion.regions.nose.meanAbsDelta.some((v: number) => v > 0)).toBe(true);
    expect(r.peaks.positive.filters).toBeGreaterThan(0);
    expect(r.peaks.positive.d).toBeGreaterThan(0);
    expect(r.peaks.positive.d).toBeLessThan(96);
    for (const f of ['roc.svg', 'occlusion-heatmap.svg', 'peaks.svg', 'report.md']) expect(existsSync(join(dir, 'out', f))).toBe(true);

    const io2 = capture();
    expect(await main(['peaks', '--model', fixture, '--name', 'a', '--model', fixture, '--name', 'b', '--data', join(dir, 'data'), '--out', join(dir, 'peaks')], io2)).toBe(0);
    const p = JSON.parse(readFileSync(join(dir, 'peaks', 'report.json'), 'utf8'));
    expect(p.models.map((m: { name: string }) => m.name)).toEqual(['a', 'b']);
    // Same data and model: the same statistics as the synthetic run.
    expect(p.models[0].peaks.positive.d).toBeCloseTo(r.peaks.positive.d, 6);
    expect(p.models[1].peaks.negative.d).toBeCloseTo(r.peaks.negative.d, 6);

    const io3 = capture();
    expect(await main(['occlusion', '--model', fixture, '--data', join(dir, 'data'), '--out', join(dir, 'occ')], io3)).toBe(0);
    const o = JSON.parse(readFileSync(join(dir, 'occ', 'report.json'), 'utf8'));
    expect(o.occlusion.regions.mouth.auc).toBeCloseTo(r.occlusion.regions.mouth.auc, 6);
  });
});

describe.skipIf(!have)('ijba --model: extraction with alignment, cached and resumable', () => {
  it('extracts every sighting once, then reuses the cache', async () => {
    const { syntheticIjba } = await import('../src/protocols/ijba-synthetic.ts');
    const { writeFileMap } = await import('../src/io/files.ts');
    const { syntheticSample } = await import('@interpret-fr/core');
    const dir = mkdtempSync(join(tmpdir(), 'eval-ijba-model-'));
    const syn = syntheticIjba({ seed: 9, splits: 2, subjects: 8, gallerySubjects: 5, templatesPerSubject: 3, missingTemplates: 0 });
    await writeFileMap(join(dir, 'protocol'), syn.files);
    // One image per sighting at its FILE path (a synthetic face of the row's subject).
    const seen = new Set<string>();
    for (const [name, text] of syn.files) {
      if (!name.includes('metadata') && !name.includes('search')) continue;
      for (const line of text.split('\n').slice(1).filter(Boolean)) {
        const f = line.split(',');
        if (seen.has(f[2]!)) continue;
        seen.add(f[2]!);
        const s = syntheticSample({ seed: 1, identities: 1000, imagesPerIdentity: 10, occluderRate: 0 }, Number(f[1]) % 1000, seen.size % 10);
        mkdirSync(join(dir, 'images', f[2]!.split('/')[0]!), { recursive: true });
        writeFileSync(
          join(dir, 'images', f[2]!),
          await sharp(s.pixels, { raw: { width: 110, height: 110, channels: 3 } })
            .png()
            .toBuffer(),
        );
      }
    }
    const args = ['ijba', '--protocol', join(dir, 'protocol'), '--splits', '1,2', '--model', fixture, '--images', join(dir, 'images'), '--out', join(dir, 'out'), '--batch', '8'];
    const io = capture();
    expect(await main(args, io)).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.alignment).toBe('ijba-similarity');
    expect(r.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.verify['tar@far=0.01'].nearest.splits).toHaveLength(2);
    const events = io.e
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = events.filter((e) => e.type === 'progress').at(-1);
    expect(last.fromCache).toBe(0);
    const nSightings = last.total;
    expect(nSightings).toBe(new Set(syn.ids.filter((x) => Number(x) < 900_000_000)).size);
    const io2 = capture();
    expect(await main(args, io2)).toBe(0);
    const last2 = io2.e
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'progress')
      .at(-1);
    expect(last2).toEqual({ what: 'extract', type: 'progress', done: nSightings, total: nSightings, fromCache: nSightings });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).verify).toEqual(r.verify);
  });
});

const orl = join(process.env.INTERPRET_FR_DATA ?? resolve(__dirname, '../../../../shared/data'), 'att-orl-faces');
const haveOrl = existsSync(join(orl, 's1', '1.pgm'));
if (!haveOrl) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`INTERPRET_FR_REQUIRE_DATA=1 but ${orl} is missing`);
  console.warn(`[eval] SKIPPING ORL pairs test: ${orl} not found (set INTERPRET_FR_DATA)`);
}

describe.skipIf(!have || !haveOrl)('pairs --model on real PGM faces (AT&T/ORL)', () => {
  it('decodes PGM, extracts each image once and scores a generic pair list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-orl-'));
    const lines: string[] = [];
    for (let s = 1; s <= 10; s++) for (let a = 1; a <= 4; a++) for (let b = a + 1; b <= 4; b++) lines.push(`s${s}/${a}.pgm s${s}/${b}.pgm 1 ${s % 2}`);
    for (let s = 1; s <= 10; s++) for (let k = 1; k <= 6; k++) lines.push(`s${s}/${(k % 4) + 1}.pgm s${(s % 10) + 1}/${((k + 1) % 4) + 1}.pgm 0 ${s % 2}`);
    writeFileSync(join(dir, 'pairs.txt'), lines.join('\n') + '\n');
    const io = capture();
    expect(await main(['pairs', '--pairs', join(dir, 'pairs.txt'), '--model', fixture, '--images', orl, '--out', join(dir, 'out')], io)).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.counts).toEqual({ pairs: 120, skippedPairs: 0 });
    expect(r.accuracy.folds).toHaveLength(2);
    expect(r.alignment).toBe('pass-through');
    const last = io.e
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'progress')
      .at(-1);
    expect(last.total).toBe(40);
    expect(r.auc).toBeGreaterThan(0);
  });
});
