/**
 * `--align detect` (the align package's detector + 68 landmarks + template alignment) in pairs and
 * occlusion extraction, on real AT&T/ORL photos and on synthetic faces placed in larger photos.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { syntheticDataset } from '@interpret-fr/core';
import { capture } from './helpers/capture.ts';
import { main } from '../src/cli/main.ts';

const fixture = resolve(__dirname, '../../inference/test/fixtures/interpretable-tiny.onnx');
const data = process.env.INTERPRET_FR_DATA ?? resolve(__dirname, '../../../../shared/data');
const orl = join(data, 'att-orl-faces');
const haveOrl = existsSync(join(orl, 's1', '1.pgm'));
if (!haveOrl) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`INTERPRET_FR_REQUIRE_DATA=1 but ${orl} is missing`);
  console.warn(`[eval] SKIPPING --align detect on ORL: ${orl} not found (set INTERPRET_FR_DATA)`);
}

describe.skipIf(!existsSync(fixture) || !haveOrl)('pairs --align detect on ORL photos', () => {
  it('detects and aligns every image, names the alignment and its face sources in the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-detect-'));
    const lines: string[] = [];
    for (let s = 1; s <= 4; s++) lines.push(`s${s}/1.pgm s${s}/2.pgm 1 ${s % 2}`, `s${s}/1.pgm s${(s % 4) + 1}/2.pgm 0 ${s % 2}`);
    writeFileSync(join(dir, 'pairs.txt'), `${lines.join('\n')}\n`);
    const io = capture();
    expect(await main(['pairs', '--pairs', join(dir, 'pairs.txt'), '--model', fixture, '--images', orl, '--out', join(dir, 'out'), '--align', 'detect'], io), io.e).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.alignment).toMatch(/^detect \(face-api TinyFaceDetector/);
    const counts = JSON.parse(/faces (\{.*\})$/.exec(r.alignment)![1]!) as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(8);
    expect((counts.detector ?? 0) + (counts.padded ?? 0)).toBeGreaterThanOrEqual(7);
    expect(existsSync(join(dir, 'out', 'features-cache-detect'))).toBe(true);
    expect(await main(['pairs', '--pairs', join(dir, 'pairs.txt'), '--model', fixture, '--images', orl, '--out', join(dir, 'o2'), '--align', 'bogus'], capture())).toBe(2);
  });
});

describe.skipIf(!existsSync(fixture))('occlusion --align detect on raw photos', () => {
  it('prepares the list into <out>/aligned (inline landmarks) and runs the study on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-occ-detect-'));
    const list: string[] = [];
    for (const s of syntheticDataset({ seed: 9, identities: 3, imagesPerIdentity: 3, occluderRate: 0 })) {
      const rel = `photos/${s.identity}/${s.index}.png`;
      mkdirSync(join(dir, 'photos', String(s.identity)), { recursive: true });
      await sharp(s.pixels, { raw: { width: 110, height: 110, channels: 3 } })
        .resize(200, 200)
        .extend({ top: 30, bottom: 30, left: 30, right: 30, background: '#000' })
        .png()
        .toFile(join(dir, rel));
      list.push(`${rel},${s.identity}`);
    }
    writeFileSync(join(dir, 'list.txt'), `${list.join('\n')}\n`);
    const io = capture();
    expect(await main(['occlusion', '--model', fixture, '--data', dir, '--out', join(dir, 'out'), '--align', 'detect'], io), io.e).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.alignment).toMatch(/^detect \(interpret-fr-prepare into .*: \d+ aligned, \d+ centred-box fallback, 0 failed/);
    const prepared = readFileSync(join(dir, 'out', 'aligned', 'list.txt'), 'utf8')
      .trim()
      .split('\n');
    expect(prepared).toHaveLength(9);
    expect(prepared[0]!.split(',')).toHaveLength(138);
  });
});
