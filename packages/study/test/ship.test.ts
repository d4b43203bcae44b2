import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shipBest } from '../src/ship.ts';

function fakeRun(runs: string, name: string, trainAccuracy: number, accuracy: number): void {
  const dir = join(runs, name);
  mkdirSync(join(dir, 'eval', 'pairs'), { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), `onnx of ${name}`);
  writeFileSync(
    join(dir, 'eval', 'pairs', 'report.json'),
    JSON.stringify({ auc: 0.9, verify: { 'tar@far=0.01': { nearest: 0.5 } }, trainThreshold: { threshold: 0.5, trainAccuracy, accuracy } }),
  );
}

describe('ship stage', () => {
  it('ships the interpretable model with the best DevTrain accuracy (never the best DevTest one, never one without maps) and writes its card', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ship-'));
    const runs = join(root, 'runs');
    fakeRun(runs, 'base', 0.9, 0.9); // best on both, but the base CNN has no maps output
    fakeRun(runs, 'sad', 0.7, 0.95); // best on DevTest, not on DevTrain
    fakeRun(runs, 'sad-fad-teacher', 0.8, 0.6);
    const r = await shipBest({ repo: root, runs, cache: join(root, 'cache'), lfw: join(root, 'lfw'), results: join(root, 'results') });
    expect(r.plan.name).toBe('sad-fad-teacher');
    expect(readFileSync(join(root, 'models', 'interpret-fr-lfw.onnx'), 'utf8')).toBe('onnx of sad-fad-teacher');
    const card = readFileSync(join(root, 'models', 'README.md'), 'utf8');
    expect(card).toMatch(/DevTest accuracy \| \*\*60\.00 %\*\*/);
    expect(card).toMatch(/YES: trained with a pretrained teacher/);
    expect(card).toMatch(/`maps`/);
    expect(card).toMatch(/MIT licence/);
    // the whole chain: base first, then the fine-tune from it, then the export with maps
    expect(card).toMatch(
      /pnpm exec interpret-fr-train --preset small-base .*--out runs\/study-lfw\/base [\s\S]*pnpm exec interpret-fr-train --preset small-sad-fad .*init\.from=runs\/study-lfw\/base/,
    );
    expect(card).toMatch(/interpret-fr-export\.mjs runs\/study-lfw\/sad-fad-teacher -o models\/interpret-fr-lfw\.onnx --maps/);
    expect(card).toMatch(/--align detect/);
  });
  it('refuses when nothing is evaluated', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ship-'));
    await expect(shipBest({ repo: root, runs: join(root, 'runs'), cache: root, lfw: root, results: root })).rejects.toThrow(/no evaluated model yet/);
  });
});
