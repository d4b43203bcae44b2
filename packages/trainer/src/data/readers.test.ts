import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatBlob } from './dat-blob.ts';
import { createDataset } from './dataset.ts';
import { openImageFolder } from './folder.ts';
import { openListFile } from './list-file.ts';
import { detectFormat } from './open.ts';
import type { Batch, DataWarning } from './types.ts';

/** Image i: every pixel (r, c) = (i*10 + r + c) mod 256 in R, r in G, c in B — so crops are checkable. */
function pattern(i: number, size = 110): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const p = (r * size + c) * 3;
      px[p] = (i * 10 + r + c) % 256;
      px[p + 1] = r;
      px[p + 2] = c;
    }
  return px;
}

const png = (px: Uint8Array, size = 110): Promise<Buffer> =>
  sharp(px, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ifr-readers-'));
  mkdirSync(join(dir, 'imgs'));
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'imgs', `${i}.png`), await png(pattern(i)));
  writeFileSync(join(dir, 'imgs', 'broken.png'), Buffer.from('not a png at all'));
  // Folder tree: ids "b" (3 images) and "a" (2 images, one 55×55 to test resizing).
  for (const [id, n] of [
    ['b', 3],
    ['a', 2],
  ] as const) {
    mkdirSync(join(dir, 'tree', id), { recursive: true });
    for (let k = 0; k < n; k++) writeFileSync(join(dir, 'tree', id, `${k}.png`), await png(pattern(k, id === 'a' && k === 1 ? 55 : 110), id === 'a' && k === 1 ? 55 : 110));
  }
});

describe('list file', () => {
  it('reads paths, labels and inline landmarks; labels set numClasses', async () => {
    const lm = Array.from({ length: 136 }, (_, k) => 20 + k * 0.5);
    writeFileSync(join(dir, 'list.txt'), ['# comment', 'imgs/0.png,2', `imgs/1.png,0,${lm.join(',')}`, '', 'imgs/2.png,1'].join('\n'));
    const src = await openListFile(join(dir, 'list.txt'));
    expect(src.count).toBe(3);
    expect([...src.labels]).toEqual([2, 0, 1]);
    expect(src.numClasses).toBe(3);
    expect([...src.hasLandmarks!]).toEqual([0, 1, 0]);
    expect(src.landmarks![136 + 5]).toBeCloseTo(22.5, 6);
    const img = await src.read(1, 110);
    expect(Buffer.from(img.pixels).equals(Buffer.from(pattern(1)))).toBe(true);
  });
  it('reads a separate landmarks file and checks its line count and numbers per line', async () => {
    writeFileSync(join(dir, 'two.txt'), 'imgs/0.png,0\nimgs/1.png,1\n');
    const row = Array.from({ length: 136 }, (_, k) => k).join(',');
    writeFileSync(join(dir, 'lm-ok.txt'), `${row}\n${row}\n`);
    const src = await openListFile(join(dir, 'two.txt'), { landmarks: join(dir, 'lm-ok.txt') });
    expect(src.landmarks![136 + 135]).toBe(135);
    writeFileSync(join(dir, 'lm-short.txt'), `${row}\n${row.split(',').slice(0, 100).join(',')}\n`);
    await expect(openListFile(join(dir, 'two.txt'), { landmarks: join(dir, 'lm-short.txt') })).rejects.toThrow(/lm-short\.txt:2: 100 landmark numbers, expected 136/);
    writeFileSync(join(dir, 'lm-lines.txt'), `${row}\n`);
    await expect(openListFile(join(dir, 'two.txt'), { landmarks: join(dir, 'lm-lines.txt') })).rejects.toThrow(/1 landmark lines, expected 2/);
  });
  it('errors name the file and line: wrong format, bad label, out-of-range label, bad landmark count', async () => {
    const cases: [string, RegExp][] = [
      ['imgs/0.png,0\nimgs/1.png\n', /bad\.txt:2: expected "path,label/],
      ['imgs/0.png,zero\n', /bad\.txt:1: label "zero" is not an integer/],
      ['imgs/0.png,0\nimgs/1.png,-1\n', /bad\.txt:2: label -1 out of range/],
      ['imgs/0.png,0,1,2,3\n', /bad\.txt:1: 3 landmark numbers, expected 136/],
      ['imgs/0.png,0,1,x\n', /bad\.txt:1: landmarks: field 2 is "x"/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(join(dir, 'bad.txt'), text);
      await expect(openListFile(join(dir, 'bad.txt'))).rejects.toThrow(re);
    }
    writeFileSync(join(dir, 'bad.txt'), 'imgs/0.png,0\nimgs/1.png,5\n');
    await expect(openListFile(join(dir, 'bad.txt'), { numClasses: 5 })).rejects.toThrow(/bad\.txt:2: label 5 out of range, expected an integer in \[0, 4\]/);
  });
});

describe('image folder', () => {
  it('labels are sorted folder names; other sizes are resized with their true size reported', async () => {
    const src = await openImageFolder(join(dir, 'tree'));
    expect(src.identities).toEqual(['a', 'b']);
    expect([...src.labels]).toEqual([0, 0, 1, 1, 1]);
    const small = await src.read(1, 110);
    expect([small.width, small.height, small.pixels.length]).toEqual([55, 55, 110 * 110 * 3]);
    // Green = row index of the 55 image, bilinear-upscaled ×2: row 60 ≈ 30.
    expect(Math.abs(small.pixels[(60 * 110 + 60) * 3 + 1]! - 29.75)).toBeLessThan(1.5);
    await expect(openImageFolder(join(dir, 'imgs'))).rejects.toThrow(/no identity sub-folders/);
  });
});

describe('DAT blob (method.md §3.1)', () => {
  it('reads N×110×110×3 by offset with the CSV list and optional landmarks', async () => {
    const n = 4;
    const blob = new Uint8Array(n * 110 * 110 * 3);
    for (let i = 0; i < n; i++) blob.set(pattern(i), i * 110 * 110 * 3);
    mkdirSync(join(dir, 'casia'), { recursive: true });
    writeFileSync(join(dir, 'casia', 'CASIA_all_images_110_110.DAT'), blob);
    writeFileSync(join(dir, 'casia', 'CASIA_recrop_fileList.DAT'), ['0001/001.jpg,x,3,12.5', '0001/002.jpg,x,3,-4', '0002/001.jpg,x,0,0', '0003/001.jpg,x,1,3'].join('\n'));
    const src = await openDatBlob(join(dir, 'casia', 'CASIA_all_images_110_110.DAT'));
    expect(src.count).toBe(4);
    expect([...src.labels]).toEqual([3, 3, 0, 1]);
    expect(src.numClasses).toBe(4);
    const img = await src.read(2, 110);
    expect(Buffer.from(img.pixels).equals(Buffer.from(pattern(2)))).toBe(true);
    expect(src.name(1)).toMatch(/#1 \(0001\/002\.jpg\)/);
    await src.close!();
  });
  it('errors: size not a multiple of 110·110·3, list length mismatch, bad label', async () => {
    writeFileSync(join(dir, 'casia', 'odd.DAT'), new Uint8Array(110 * 110 * 3 + 5));
    await expect(openDatBlob(join(dir, 'casia', 'odd.DAT'))).rejects.toThrow(/odd\.DAT: size 36305 bytes is not a positive multiple of 110×110×3 = 36300/);
    writeFileSync(join(dir, 'casia', 'two.DAT'), new Uint8Array(2 * 36300));
    writeFileSync(join(dir, 'casia', 'l3.csv'), 'a,x,0,0\nb,x,1,0\nc,x,1,0\n');
    await expect(openDatBlob(join(dir, 'casia', 'two.DAT'), { list: join(dir, 'casia', 'l3.csv') })).rejects.toThrow(/3 list lines but the blob .* holds 2 images/);
    writeFileSync(join(dir, 'casia', 'lbad.csv'), 'a,x,0,0\nb,x,one,0\n');
    await expect(openDatBlob(join(dir, 'casia', 'two.DAT'), { list: join(dir, 'casia', 'lbad.csv') })).rejects.toThrow(/lbad\.csv:2: label "one"/);
  });
  it('format detection', () => {
    expect(detectFormat({ source: 'synthetic', format: 'auto' })).toBe('synthetic');
    expect(detectFormat({ source: join(dir, 'tree'), format: 'auto' })).toBe('folder');
    expect(detectFormat({ source: join(dir, 'casia', 'two.DAT'), format: 'auto' })).toBe('dat');
    expect(detectFormat({ source: join(dir, 'list.txt'), format: 'auto' })).toBe('list');
    expect(() => detectFormat({ source: join(dir, 'nope'), format: 'auto' })).toThrow(/no such file or folder/);
  });
});

describe('dataset', () => {
  async function src6() {
    writeFileSync(join(dir, 'six.txt'), Array.from({ length: 6 }, (_, i) => `imgs/${i}.png,${i % 3}`).join('\n'));
    return openListFile(join(dir, 'six.txt'));
  }
  const take = async (it: AsyncIterable<Batch>, k: number): Promise<Batch[]> => {
    const out: Batch[] = [];
    for await (const b of it) {
      out.push(b);
      if (out.length === k) break;
    }
    return out;
  };

  it('crops match the recorded offsets, labels follow the images, partial batch dropped, reshuffled each epoch', async () => {
    const ds = createDataset(await src6(), { batchSize: 4, inputSize: 96, seed: 5, numClasses: 3 });
    expect(ds.describe().batchesPerEpoch).toBe(1);
    const bs = await take(ds, 6);
    for (const b of bs) {
      for (let k = 0; k < b.n; k++) {
        const i = b.indices[k]!;
        expect(b.labels[k]).toBe(i % 3);
        const f = b.faces[k]!;
        const off = k * 96 * 96 * 3;
        // Red at (0, 0) = (i*10 + oy + ox), green = oy, blue = ox.
        expect(Math.round((b.x[off]! + 1) * 127.5)).toBe((i * 10 + f.offsetY + f.offsetX) % 256);
        expect(Math.round((b.x[off + 1]! + 1) * 127.5)).toBe(f.offsetY);
        expect(Math.round((b.x[off + 2]! + 1) * 127.5)).toBe(f.offsetX);
        expect(f.offsetX >= 0 && f.offsetX <= 14 && f.offsetY >= 0 && f.offsetY <= 14).toBe(true);
      }
    }
    expect(bs.map((b) => b.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const orders = new Set(bs.map((b) => [...b.indices].join()));
    expect(orders.size).toBeGreaterThan(1);
    const fixed = createDataset(await src6(), { batchSize: 4, inputSize: 96, seed: 5, numClasses: 3, order: 'fixed' });
    const fb = await take(fixed, 4);
    expect(new Set(fb.map((b) => [...b.indices].join())).size).toBe(1);
  });

  it('resumes exactly from a saved position', async () => {
    const ds = createDataset(await src6(), { batchSize: 2, inputSize: 48, seed: 9, numClasses: 3 });
    const straight = await take(ds, 7);
    const again = await take(ds.batches(straight[2]!.position), 4);
    for (let k = 0; k < 4; k++) {
      expect([...again[k]!.indices]).toEqual([...straight[k + 3]!.indices]);
      expect(again[k]!.x).toEqual(straight[k + 3]!.x);
    }
  });

  it('skips a corrupt image with a warning (path and reason) and fills the batch', async () => {
    writeFileSync(join(dir, 'withbad.txt'), ['imgs/0.png,0', 'imgs/broken.png,1', 'imgs/2.png,1', 'imgs/3.png,0'].join('\n'));
    const warnings: DataWarning[] = [];
    const ds = createDataset(await openListFile(join(dir, 'withbad.txt')), { batchSize: 3, inputSize: 96, seed: 1, numClasses: 2, onWarning: (w) => warnings.push(w) });
    const [b] = await take(ds, 1);
    expect(b!.n).toBe(3);
    expect([...b!.indices].sort()).toEqual([0, 2, 3]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toMatch(/broken\.png$/);
    expect(warnings[0]!.reason.length).toBeGreaterThan(0);
    expect(ds.skipped).toBe(1);
  });

  it('prefetches the next batch while the current one is consumed, and decodes each image once (cache)', async () => {
    const reads: number[] = [];
    const fake = {
      kind: 'list' as const,
      path: 'fake',
      count: 8,
      labels: Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]),
      landmarks: null,
      hasLandmarks: null,
      name: (i: number) => `fake#${i}`,
      read: async (i: number) => {
        reads.push(i);
        return { pixels: pattern(i), width: 110, height: 110 };
      },
    };
    const it = createDataset(fake, { batchSize: 4, inputSize: 96, seed: 2, numClasses: 2 }).batches()[Symbol.asyncIterator]();
    const first = await it.next();
    // Batch 2's reads were issued before batch 1 was handed over.
    expect(reads.length).toBe(8);
    expect(new Set(reads).size).toBe(8);
    expect(first.value!.n).toBe(4);
    for (let k = 0; k < 6; k++) await it.next();
    expect(reads.length).toBe(8);
    await it.return!();
    const unused = createDataset(fake, { batchSize: 4, inputSize: 96, seed: 2, numClasses: 2, cacheBytes: 0 }).batches()[Symbol.asyncIterator]();
    for (let k = 0; k < 3; k++) await unused.next();
    expect(reads.length).toBe(8 + 16);
  });

  it('moves landmarks with the image size (55 → 110 frame)', async () => {
    mkdirSync(join(dir, 'lm'), { recursive: true });
    writeFileSync(join(dir, 'lm', 's.png'), await png(pattern(0, 55), 55));
    const lm = Array.from({ length: 136 }, (_, k) => 10 + (k % 7));
    writeFileSync(join(dir, 'lm', 'l.txt'), `s.png,0,${lm.join(',')}\n`);
    const ds = createDataset(await openListFile(join(dir, 'lm', 'l.txt')), { batchSize: 1, inputSize: 96, seed: 1, numClasses: 1 });
    const [b] = await take(ds, 1);
    expect(b!.faces[0]!.landmarks![0]).toBeCloseTo((10 + 0.5) * 2 - 0.5, 5);
  });
});
