/**
 * Bad inputs to interpret-fr-prepare: a corrupt JPEG, a 0-byte file, a PNG whose header claims
 * 20000×20000 pixels, a truncated PGM and an image without a face each become one failed entry in
 * report.json with a clear reason; the good image next to them is aligned; nothing crashes. Also:
 * resume skips finished images, list.txt is the trainer's format.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { syntheticSample } from '@interpret-fr/core';
import { prepareImages, type PrepareEvent } from '../src/prepare.ts';
import { listPrepareItems } from '../src/prepare-list.ts';
import { main } from '../src/cli.ts';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A valid 1×1 PNG with its IHDR rewritten to claim width × height (CRC fixed). */
async function hugePng(width: number, height: number): Promise<Uint8Array> {
  const png = new Uint8Array(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  const dv = new DataView(png.buffer, png.byteOffset);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  dv.setUint32(29, crc32(png.subarray(12, 29)));
  return png;
}

async function writeFace(path: string): Promise<void> {
  // a synthetic face scaled into a 220×220 photo (TinyFaceDetector finds it)
  const s = syntheticSample({ seed: 3, identities: 2, imagesPerIdentity: 1, occluderRate: 0 }, 0, 0);
  await sharp(s.pixels, { raw: { width: 110, height: 110, channels: 3 } })
    .resize(220, 220)
    .extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#000' })
    .png()
    .toFile(path);
}

const data = process.env.INTERPRET_FR_DATA ?? resolve(__dirname, '../../../../shared/data');
const lfwImage = join(data, 'lfw/lfw-a/Aaron_Eckhart/Aaron_Eckhart_0001.jpg');

describe('interpret-fr-prepare on bad images', () => {
  it('reports each bad image with its reason, aligns the good ones, resumes without redoing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'align-bad-'));
    const root = join(dir, 'images');
    for (const id of ['alice', 'bob']) mkdirSync(join(root, id), { recursive: true });
    const good = existsSync(lfwImage) ? lfwImage : null;
    if (good) copyFileSync(good, join(root, 'alice', 'real.jpg'));
    await writeFace(join(root, 'alice', 'synthetic.png'));
    writeFileSync(join(root, 'bob', 'corrupt.jpg'), readFileSync(good ?? join(root, 'alice', 'synthetic.png')).subarray(0, 120));
    writeFileSync(join(root, 'bob', 'empty.jpg'), new Uint8Array(0));
    writeFileSync(join(root, 'bob', 'huge.png'), await hugePng(20000, 20000));
    writeFileSync(join(root, 'bob', 'truncated.pgm'), new TextEncoder().encode('P5\n92 112\n255\n\x01\x02'));
    await sharp({ create: { width: 160, height: 160, channels: 3, background: '#7a7a7a' } })
      .png()
      .toFile(join(root, 'bob', 'blank.png'));
    const out = join(dir, 'out');
    const events: PrepareEvent[] = [];
    const report = await prepareImages({ images: root, out, workers: 0, fallback: false }, { onEvent: (e) => events.push(e) });
    const reasons = Object.fromEntries(report.failures.map((f) => [f.path.split('/').pop()!, f.reason]));
    expect(reasons['corrupt.jpg']).toMatch(/corrupt\.jpg: not a readable image/);
    expect(reasons['empty.jpg']).toMatch(/empty\.jpg: empty file \(0 bytes\)/);
    expect(reasons['huge.png']).toMatch(/huge\.png: 20000×20000 \(400\.0 MP\) exceeds the limit/);
    expect(reasons['truncated.pgm']).toMatch(/truncated\.pgm: PGM has 2 data bytes, 92×112 needs 10304/);
    expect(reasons['blank.png']).toMatch(/blank\.png: no face found/);
    expect(report.failed).toBe(5);
    expect(report.aligned).toBe(good ? 2 : 1);
    expect(report.images).toBe(report.aligned + report.failed);
    // list.txt: path,label,136 numbers per aligned image, crops exist, labels by sorted identity
    const lines = readFileSync(join(out, 'list.txt'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(report.aligned);
    for (const l of lines) {
      const parts = l.split(',');
      expect(parts).toHaveLength(2 + 136);
      expect(parts[1]).toBe('0');
      expect(existsSync(join(out, parts[0]!))).toBe(true);
      const meta = await sharp(join(out, parts[0]!)).metadata();
      expect([meta.width, meta.height]).toEqual([110, 110]);
      parts.slice(2).forEach((v) => expect(Number.isFinite(Number(v))).toBe(true));
    }
    expect(readFileSync(join(out, 'identities.txt'), 'utf8')).toBe('alice\nbob\n');
    expect(events.filter((e) => e.type === 'image')).toHaveLength(report.images);
    // resume: nothing is redone; different options are refused
    const again: PrepareEvent[] = [];
    const r2 = await prepareImages({ images: root, out, workers: 0, fallback: false }, { onEvent: (e) => again.push(e) });
    expect(again.find((e) => e.type === 'start')).toMatchObject({ resumed: report.images });
    expect(again.filter((e) => e.type === 'image')).toHaveLength(0);
    expect(r2.failed).toBe(5);
    await expect(prepareImages({ images: root, out, workers: 0, fallback: true })).rejects.toThrow(
      /prepared from .* resume with the same --images and options, or use a new --out/,
    );
    // the fallback flags the blank image instead of failing it
    const r3 = await prepareImages({ images: root, out: join(dir, 'out-fallback'), workers: 0 });
    expect(r3.fallback).toBe(1);
    expect(r3.fallbacks[0]!.path).toMatch(/blank\.png$/);
  });

  it('runs the same on a pool of worker threads (each with its own face-api instance)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'align-pool-'));
    const root = join(dir, 'images');
    mkdirSync(join(root, 'carol'), { recursive: true });
    await writeFace(join(root, 'carol', 'a.png'));
    await writeFace(join(root, 'carol', 'b.png'));
    writeFileSync(join(root, 'carol', 'c.jpg'), new Uint8Array(0));
    const inThread = await prepareImages({ images: root, out: join(dir, 'out0'), workers: 0 });
    const pooled = await prepareImages({ images: root, out: join(dir, 'out2'), workers: 2 });
    expect([pooled.aligned, pooled.failed]).toEqual([2, 1]);
    // same crops and landmarks whichever thread made them
    expect(readFileSync(join(dir, 'out2', 'list.txt'), 'utf8')).toBe(readFileSync(join(dir, 'out0', 'list.txt'), 'utf8'));
    expect(inThread.failures[0]!.reason).toMatch(/c\.jpg: empty file/);
  });

  it('lists a list file with labels, refuses mixed labels, and the CLI reports usage errors with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'align-list-'));
    writeFileSync(join(dir, 'a.txt'), 'x/1.jpg,3\ny/2.png,0\n');
    const { items } = await listPrepareItems(join(dir, 'a.txt'));
    expect(items.map((i) => [i.crop, i.label])).toEqual([
      ['crops/x/1.png', 3],
      ['crops/y/2.png', 0],
    ]);
    writeFileSync(join(dir, 'b.txt'), 'x/1.jpg,3\ny/2.png\n');
    await expect(listPrepareItems(join(dir, 'b.txt'))).rejects.toThrow(/some lines have labels and some do not/);
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    expect(await main(['--images', join(dir, 'missing'), '--out', join(dir, 'o')], io)).toBe(1);
    expect(err.join('')).toMatch(/^interpret-fr-prepare: --images .*missing: no such file or folder\n$/);
    err.length = 0;
    expect(await main(['--image', 'x', '--out', 'y'], io)).toBe(2);
    expect(err.join('')).toMatch(/did you mean --images/);
    expect(await main(['--images', 'x', '--out', 'y', '--min-score', '2'], io)).toBe(2);
  });
});
