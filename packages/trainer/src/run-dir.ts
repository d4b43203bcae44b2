/**
 * The run directory:
 *
 * ```
 * run/config.json            resolved config
 * run/events.jsonl           one TrainEvent per line (appended)
 * run/loss.svg               loss and accuracy curves
 * run/summary.json           final numbers
 * run/checkpoint             pointer: "checkpoints/step-000300" (written atomically)
 * run/checkpoints/step-000300/manifest.json + weights.bin           model (core checkpoint codec)
 * run/checkpoints/step-000300/train-state.json + train-state.bin    Adam slots, RNG, data position, step
 * ```
 *
 * A checkpoint is assembled in a temporary folder and renamed into place, then the pointer is
 * replaced atomically, so a crash never leaves a half checkpoint as the latest. Older ones beyond
 * `keepLast` are removed.
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint } from '@interpret-fr/core';
import type { Checkpoint, ModelSpec, RngState, TensorEntry } from '@interpret-fr/core';
import { readCheckpointDir, writeCheckpointDir, writeFileAtomic } from '@interpret-fr/core/node';
import type { DataPosition } from './data/types.ts';
import type { TrainEvent } from './events.ts';

/** Everything besides the weights that exact resume needs. */
export interface TrainState {
  step: number;
  /** RNG of the training step (dropout) and of the occlusion draws. */
  rng: { step: RngState; occlusion: RngState };
  data: DataPosition;
  skippedImages: number;
  /** Adam state entries (`optimizer/…`). */
  optimizer: TensorEntry[];
}

/** Name of a step's checkpoint folder. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** Creates the run directory and writes `config.json`. */
export async function initRunDir(runDir: string, config: unknown): Promise<void> {
  await mkdir(join(runDir, 'checkpoints'), { recursive: true });
  writeFileAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Appends one event to `events.jsonl`. */
export async function appendEvent(runDir: string, ev: TrainEvent): Promise<void> {
  await appendFile(join(runDir, 'events.jsonl'), `${JSON.stringify(ev)}\n`);
}

/** Reads `events.jsonl` (missing file: empty list). */
export async function readEvents(runDir: string): Promise<TrainEvent[]> {
  const p = join(runDir, 'events.jsonl');
  if (!existsSync(p)) return [];
  return (await readFile(p, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TrainEvent);
}

async function writeCk(dir: string, stem: string, weightsName: string, ck: Checkpoint): Promise<void> {
  const { manifest, weights } = encodeCheckpoint(ck);
  await writeFile(join(dir, stem), manifest);
  await writeFile(join(dir, weightsName), weights);
}

/**
 * Saves a checkpoint and its train state, moves the pointer, prunes old ones. Returns the new
 * folder and the removed ones.
 */
export async function saveCheckpoint(runDir: string, model: Checkpoint, state: TrainState, keepLast: number): Promise<{ path: string; removed: string[] }> {
  const name = checkpointName(state.step);
  const root = join(runDir, 'checkpoints');
  await mkdir(root, { recursive: true });
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  writeCheckpointDir(tmp, model);
  const { optimizer, ...rest } = state;
  await writeCk(tmp, 'train-state.json', 'train-state.bin', { spec: model.spec, tensors: optimizer, meta: { trainState: rest } });
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  writeFileAtomic(join(runDir, 'checkpoint'), `checkpoints/${name}\n`);
  const removed: string[] = [];
  const all = readdirSync(root)
    .filter((n) => /^step-\d+$/.test(n))
    .sort();
  for (const n of all.slice(0, Math.max(0, all.length - keepLast))) {
    await rm(join(root, n), { recursive: true, force: true });
    removed.push(join(root, n));
  }
  return { path: final, removed };
}

/** Reads a model checkpoint folder (`manifest.json` + `weights.bin`). */
export async function readModelCheckpoint(dir: string): Promise<Checkpoint> {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir}: not a checkpoint folder (no manifest.json)`);
  return readCheckpointDir(dir);
}

/** Reads the train state saved beside a checkpoint. */
export async function readTrainState(dir: string): Promise<TrainState & { spec: ModelSpec }> {
  const file = join(dir, 'train-state.json');
  if (!existsSync(file)) throw new Error(`${dir}: no train-state.json (a checkpoint from another tool cannot be resumed, only used with init.from)`);
  const ck = decodeCheckpoint(await readFile(file, 'utf8'), new Uint8Array(await readFile(join(dir, 'train-state.bin'))));
  const rest = ck.meta.trainState as Omit<TrainState, 'optimizer'>;
  return { ...rest, optimizer: ck.tensors, spec: ck.spec };
}

/** The latest checkpoint folder of a run (from the `checkpoint` pointer), or null. */
export async function latestCheckpoint(runDir: string): Promise<string | null> {
  const p = join(runDir, 'checkpoint');
  if (!existsSync(p)) return null;
  const rel = (await readFile(p, 'utf8')).trim();
  return resolve(dirname(p), rel);
}

/**
 * Resolves a user-given checkpoint path: a checkpoint folder, or a run directory (its latest
 * checkpoint).
 */
export async function resolveCheckpointPath(path: string): Promise<string> {
  if (existsSync(join(path, 'manifest.json'))) return path;
  const latest = await latestCheckpoint(path);
  if (latest) return latest;
  throw new Error(`${path}: neither a checkpoint folder (manifest.json) nor a run directory with a "checkpoint" pointer`);
}
