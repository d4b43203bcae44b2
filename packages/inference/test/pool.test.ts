import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { PoolQueueFullError, createRecognizer, createRecognizerPool } from '../src/node.ts';
import type { InferenceEvent, Recognizer, RecognizerPool } from '../src/node.ts';
import { tinyOnnx } from './helpers/tiny-onnx.ts';
import { maxAbsDiff, randomPixels } from './helpers/images.ts';
import { haveBench, interpretableTorch, torchOverride } from './helpers/paths.ts';

describe('Node binding', () => {
  it('reads a model path; CUDA without its libraries falls back to CPU with a provider-fallback event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifr-inf-'));
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, tinyOnnx({ maps: true }));
    const events: InferenceEvent[] = [];
    const rec = await createRecognizer(path, { executionProviders: ['cuda'], onEvent: (e) => events.push(e) });
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.type).toBe('provider-fallback');
    if (e.type === 'provider-fallback') {
      expect(e.used).toEqual(['cpu']);
      expect(e.reason).toMatch(/CUDA|cuda/);
      expect(e.where).toBe(path);
    }
    const p = randomPixels(new Rng(2), 8, 8, 3);
    expect((await rec.embed([p])).n).toBe(1);
    await rec.dispose();
    await expect(createRecognizer(join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx.*ENOENT/);
  });
});

describe('createRecognizerPool (worker_threads)', () => {
  let pool: RecognizerPool;
  let serial: Recognizer;
  const rng = new Rng(11);
  const bytes = tinyOnnx({ size: 8, maps: true });
  beforeAll(async () => {
    pool = await createRecognizerPool(bytes, { workers: 2, queueLimit: 4, maxBatch: 4 });
    serial = await createRecognizer(bytes);
  });
  afterAll(async () => {
    await pool?.dispose();
    await serial?.dispose();
  });

  it('concurrent embeds equal serial ones (including calls split across both workers)', async () => {
    const calls = Array.from({ length: 4 }, (_, k) => Array.from({ length: 3 + 3 * k }, () => randomPixels(rng, 8 + k, 8, 3)));
    const results = await Promise.all(calls.map((c) => pool.embed(c)));
    for (let k = 0; k < calls.length; k++) {
      const ref = await serial.embed(calls[k]!);
      expect(results[k]!.n).toBe(calls[k]!.length);
      expect(maxAbsDiff(results[k]!.data, ref.data)).toBe(0);
    }
    const pk = await pool.peaks(calls[1]!);
    const pr = await serial.peaks(calls[1]!);
    expect(Array.from(pk.positive.cell)).toEqual(Array.from(pr.positive.cell));
    expect(Array.from(pk.negative.value)).toEqual(Array.from(pr.negative.value));
  });

  it('rejects with PoolQueueFullError when queueLimit calls are pending, and recovers', async () => {
    const imgs = [randomPixels(rng, 8, 8, 3)];
    const accepted = Array.from({ length: 4 }, () => pool.embed(imgs));
    expect(pool.pending).toBe(4);
    await expect(pool.embed(imgs)).rejects.toThrow(PoolQueueFullError);
    await expect(pool.embed(imgs)).rejects.toThrow(/4 calls pending, queueLimit 4/);
    const done = await Promise.all(accepted);
    expect(done.every((e) => e.n === 1)).toBe(true);
    expect(pool.pending).toBe(0);
    expect((await pool.embed(imgs)).n).toBe(1);
  });

  it('validates inputs on the calling thread', async () => {
    await expect(pool.embed([{ data: new Uint8Array(3), width: 8, height: 8, channels: 3 }])).rejects.toThrow(/image 0: 8×8×3 needs 192 bytes/);
  });

  it('refuses a foreign model like the recognizer does, and stops its workers', async () => {
    await expect(createRecognizerPool(tinyOnnx({ inputName: 'x', metadata: {} }), { workers: 1 })).rejects.toThrow(/not an Interpret-FR ONNX/);
  });
});

describe.skipIf(!haveBench)('pool on the PyTorch interpretable export', () => {
  it('embeddings and maps equal the single-session recognizer', async () => {
    const rng = new Rng(5);
    const imgs = Array.from({ length: 5 }, () => randomPixels(rng, 96, 96, 3));
    const pool = await createRecognizerPool(interpretableTorch, { workers: 2, maxBatch: 2, ...torchOverride });
    const rec = await createRecognizer(interpretableTorch, torchOverride);
    try {
      const [a, b] = await Promise.all([pool.embed(imgs), pool.embed(imgs.slice(0, 2))]);
      const ref = await rec.embed(imgs);
      expect(maxAbsDiff(a.data, ref.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(b.data, ref.data.subarray(0, 2 * 320))).toBeLessThan(1e-5);
      const m = await pool.responseMaps(imgs.slice(0, 2));
      const mr = await rec.responseMaps(imgs.slice(0, 2));
      expect([m.channels, m.height, m.width]).toEqual([320, 24, 24]);
      expect(maxAbsDiff(m.data, mr.data)).toBeLessThan(1e-5);
    } finally {
      await pool.dispose();
      await rec.dispose();
    }
  });
});

describe('pool dispose', () => {
  it('rejects queued chunks with a clear error, lets the running one finish, and refuses later calls', async () => {
    const pool = await createRecognizerPool(tinyOnnx({ size: 8 }), { workers: 1, maxBatch: 1 });
    const rng = new Rng(8);
    const call = pool.embed(Array.from({ length: 3 }, () => randomPixels(rng, 8, 8, 3)));
    const rejected = expect(call).rejects.toThrow(/recognizer pool disposed/);
    await pool.dispose();
    await rejected;
    await expect(pool.embed([randomPixels(rng, 8, 8, 3)])).rejects.toThrow(/after dispose/);
  });
});
