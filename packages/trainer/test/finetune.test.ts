/** Pretrain-then-finetune (method.md §5): init.from loads the backbone only, running BN statistics optionally. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, paramInfos, presetSpec } from '@interpret-fr/core';
import type { TensorEntry } from '@interpret-fr/core';
import { writeCheckpointDir } from '@interpret-fr/core/node';
import { loadBackend } from '../src/backend.ts';
import { resolveConfig } from '../src/config.ts';
import { train } from '../src/train.ts';
import { readModelCheckpoint } from '../src/run-dir.ts';

const CACHE = join(tmpdir(), 'interpret-fr-test-cache');
const SYN = ['data.synthetic.identities=4', 'data.synthetic.imagesPerIdentity=8', 'data.synthetic.seed=11', `data.cacheDir=${CACHE}`, 'backend=cpu', 'evalImages=0'];

describe('init.from (pretrain → finetune)', () => {
  it('loads exactly the backbone of a base checkpoint; running stats only with loadRunningStats', async () => {
    const backend = await loadBackend('cpu');
    const base = presetSpec('casia-net-tiny', { numClasses: 7 });
    const rng = new Rng(99);
    const tensors: TensorEntry[] = paramInfos(base).map((p) => ({
      name: p.name,
      shape: p.shape,
      dtype: 'float32',
      data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => 0.5 + rng.float()),
    }));
    const baseDir = join(tmpdir(), `interpret-fr-ft-base-${process.pid}`);
    writeCheckpointDir(baseDir, { spec: base, tensors, meta: {} });
    const byName = new Map(tensors.map((t) => [t.name, t.data]));
    const backbone = new Set(base.outputs.backbone);
    for (const loadRunningStats of [true, false]) {
      const runDir = join(tmpdir(), `interpret-fr-ft-${process.pid}-${loadRunningStats}`);
      rmSync(runDir, { recursive: true, force: true });
      const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'steps=0', `init.from=${baseDir}`, `init.loadRunningStats=${loadRunningStats}`] });
      const events: string[] = [];
      await train(cfg, { runDir, backend, onEvent: (e) => e.type === 'start' && events.push(String(e.initFrom)) });
      expect(events).toEqual([baseDir]);
      const ck = await readModelCheckpoint(join(runDir, 'checkpoints', 'step-000000'));
      let loaded = 0;
      for (const t of ck.tensors) {
        const block = t.name.slice(0, t.name.lastIndexOf('/'));
        const stat = /moving_(mean|variance)$/.test(t.name);
        const want = backbone.has(block) && (loadRunningStats || !stat);
        const src = byName.get(t.name);
        if (want) {
          expect([...t.data], t.name).toEqual([...src!]);
          loaded++;
        } else if (src && src.length === t.data.length) {
          // Not loaded: keeps its own initialisation (BN stats 0/1, kernels ~N(0, 0.02)), none of the base's values.
          expect(t.data.filter((v, k) => v === src[k]!).length, t.name).toBe(0);
          if (stat) expect(new Set(t.data), t.name).toEqual(new Set([t.name.endsWith('mean') ? 0 : 1]));
        }
      }
      expect(loaded).toBe(paramInfos(base).filter((p) => backbone.has(p.block) && (loadRunningStats || !/moving_/.test(p.name))).length);
    }
  });
});
