/**
 * Locating a run's latest checkpoint (Node only): the trainer's layout is
 * `run/config.json`, `run/checkpoint` (a pointer file "checkpoints/step-000300") and
 * `run/checkpoints/step-NNNNNN/{manifest.json, weights.bin}`.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';

/** Where the checkpoint and the config of a run are. */
export interface RunLocation {
  /** Checkpoint folder (has manifest.json). */
  checkpointDir: string;
  /** The run's config.json, when found. */
  configPath: string | null;
}

/**
 * Resolves `path`: a checkpoint folder itself, or a run directory (the `checkpoint` pointer, else
 * the highest `checkpoints/step-*`). Throws naming what was looked for.
 */
export function locateRun(path: string): RunLocation {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InterpretFrError('no such directory', { code: 'io', file: abs });
  let ck: string;
  if (existsSync(join(abs, 'manifest.json'))) ck = abs;
  else if (existsSync(join(abs, 'checkpoint'))) {
    const rel = readFileSync(join(abs, 'checkpoint'), 'utf8').trim();
    ck = resolve(abs, rel);
    if (!existsSync(join(ck, 'manifest.json'))) throw new InterpretFrError(`points to "${rel}", which has no manifest.json`, { code: 'checkpoint', file: join(abs, 'checkpoint') });
  } else {
    const dir = join(abs, 'checkpoints');
    const steps = existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => /^step-\d+$/.test(n))
          .sort()
      : [];
    if (steps.length === 0)
      throw new InterpretFrError('expected a checkpoint folder (manifest.json) or a run directory (checkpoint pointer or checkpoints/step-*)', { code: 'checkpoint', file: abs });
    ck = join(dir, steps[steps.length - 1]!);
  }
  const candidates = [join(abs, 'config.json'), join(dirname(dirname(ck)), 'config.json')];
  return { checkpointDir: ck, configPath: candidates.find((c) => existsSync(c)) ?? null };
}
