/**
 * The training loop end to end on the built-in synthetic set (generated once into the OS temp dir):
 * exact resume (with an abort in the middle), learning, every sad-fad term finite, run-directory files.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../src/backend.ts';
import { resolveConfig } from '../src/config.ts';
import type { TrainEvent } from '../src/events.ts';
import { train } from '../src/train.ts';
import { readModelCheckpoint, readTrainState } from '../src/run-dir.ts';

const CACHE = join(tmpdir(), 'interpret-fr-test-cache');
const SYN = ['data.synthetic.identities=4', 'data.synthetic.imagesPerIdentity=8', 'data.synthetic.seed=11', `data.cacheDir=${CACHE}`, 'backend=cpu', 'evalImages=0'];
const fresh = (name: string): string => {
  const d = join(tmpdir(), `interpret-fr-loop-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  return d;
};

describe('train()', () => {
  it('N steps + abort/resume + N steps equals 2N straight steps (≤1e-6), run dir complete', async () => {
    const backend = await loadBackend('cpu');
    const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'batchSize=4', 'steps=4', 'logEvery=1', 'checkpointEvery=100', 'keepLast=2'] });
    const straight = fresh('straight');
    await train(cfg, { runDir: straight, backend });

    const split = fresh('split');
    const ac = new AbortController();
    const events: TrainEvent[] = [];
    const first = await train(cfg, {
      runDir: split,
      backend,
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 2) ac.abort();
      },
    });
    expect(first.reason).toBe('aborted');
    expect(first.step).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['backend', 'start', 'step', 'step', 'checkpoint', 'done']);
    await expect(train(cfg, { runDir: split, backend })).rejects.toThrow(/already holds a run/);
    const second = await train(cfg, { runDir: split, backend, resume: true });
    expect([second.reason, second.step]).toEqual(['completed', 4]);

    const a = await readModelCheckpoint(join(straight, 'checkpoints', 'step-000004'));
    const b = await readModelCheckpoint(join(split, 'checkpoints', 'step-000004'));
    let maxDiff = 0;
    a.tensors.forEach((t, i) => {
      const u = b.tensors[i]!;
      expect(u.name).toBe(t.name);
      for (let k = 0; k < t.data.length; k++) maxDiff = Math.max(maxDiff, Math.abs(t.data[k]! - u.data[k]!));
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    const sa = await readTrainState(join(straight, 'checkpoints', 'step-000004'));
    const sb = await readTrainState(join(split, 'checkpoints', 'step-000004'));
    expect(sb.data).toEqual(sa.data);
    expect(sb.rng).toEqual(sa.rng);
    sa.optimizer.forEach((t, i) => {
      for (let k = 0; k < t.data.length; k++) expect(Math.abs(t.data[k]! - sb.optimizer[i]!.data[k]!)).toBeLessThanOrEqual(1e-6);
    });
    // Run directory: pointer, keepLast = 2 (steps 2 and 4), config, events of both segments, plot, summary.
    expect(readFileSync(join(split, 'checkpoint'), 'utf8').trim()).toBe('checkpoints/step-000004');
    expect(readdirSync(join(split, 'checkpoints')).sort()).toEqual(['step-000002', 'step-000004']);
    const lines = readFileSync(join(split, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainEvent);
    expect(lines.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([1, 2, 3, 4]);
    expect(lines.filter((e) => e.type === 'done').map((e) => (e as { reason: string }).reason)).toEqual(['aborted', 'completed']);
    expect(readFileSync(join(split, 'loss.svg'), 'utf8')).toMatch(/<polyline[^>]+points="[^"]+ [^"]+ [^"]+ [^"]+"/);
    const summary = JSON.parse(readFileSync(join(split, 'summary.json'), 'utf8')) as { step: number; reason: string };
    expect([summary.step, summary.reason]).toEqual([4, 'completed']);
    expect(JSON.parse(readFileSync(join(split, 'config.json'), 'utf8'))).toEqual(cfg);
  });

  it('learns: loss falls and clean accuracy ends well above chance (base CE, tiny net, 4 identities)', async () => {
    const backend = await loadBackend('cpu');
    const cfg = resolveConfig({ preset: 'base', sets: [...SYN, 'model.spec=casia-net-tiny', 'batchSize=16', 'steps=24', 'logEvery=1', 'checkpointEvery=1000', 'evalImages=32'] });
    const losses: number[] = [];
    const accs: number[] = [];
    const res = await train(cfg, {
      runDir: fresh('learn'),
      backend,
      onEvent: (e) => {
        if (e.type === 'step' && e.losses) {
          losses.push(e.losses.ce);
          accs.push(e.losses.accuracy);
        }
      },
    });
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    expect(losses).toHaveLength(24);
    expect(mean(losses.slice(-4))).toBeLessThan(0.6 * mean(losses.slice(0, 4)));
    expect(mean(accs.slice(-4))).toBeGreaterThan(0.6); // chance = 0.25
    expect(res.evalAccuracy).not.toBeNull();
  });

  it('sad-fad (tiny): every loss term is finite and reported, occluded branch included', async () => {
    const backend = await loadBackend('cpu');
    const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'batchSize=8', 'steps=3', 'logEvery=1'] });
    const steps: TrainEvent[] = [];
    const runDir = fresh('sadfad');
    await train(cfg, { runDir, backend, onEvent: (e) => e.type === 'step' && steps.push(e) });
    for (const e of steps) {
      if (e.type !== 'step') continue;
      const l = e.losses!;
      for (const k of ['total', 'ce', 'ceOcc', 'sad', 'sadOcc', 'weightDiversity', 'fad', 'accuracy', 'accuracyOcc', 'embeddingNorm'] as const) {
        expect(Number.isFinite(l[k]), `${k} at step ${e.step}`).toBe(true);
      }
      const weighted = 2 * l.ce + 2 * l.ceOcc! + l.sad! + l.sadOcc! + 100 * l.weightDiversity! + 0.1 * l.fad!;
      expect(l.total).toBeCloseTo(weighted, 4);
    }
    expect(existsSync(join(runDir, 'checkpoints', 'step-000003', 'train-state.bin'))).toBe(true);
  });
});
