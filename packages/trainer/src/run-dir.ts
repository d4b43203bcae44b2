/**
 * The trainer's side of the run directory (layout: `@interpret-fr/core/node` `RUN_LAYOUT`):
 *
 * ```
 * run/config.json            resolved config
 * run/events.jsonl           one TrainEvent per line (appended)
 * run/run.lock               pid of the training process (while it runs)
 * run/loss.svg               loss and accuracy curves
 * run/summary.json           final numbers
 * run/checkpoint             pointer: "checkpoints/step-000300" (written atomically)
 * run/checkpoints/step-000300/manifest.json + weights.bin           model (core checkpoint codec)
 * run/checkpoints/step-000300/train-state.json + train-state.bin    Adam slots, RNG, data position, step
 * ```
 *
 * A checkpoint is assembled in a temporary folder and renamed into place, then the pointer is
 * replaced atomically, so a crash never leaves a half checkpoint as the latest. Older ones beyond
 * `keepLast` (by step number) are removed; the one just written never is.
 *
 * @module
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, firstNonFinite } from '@interpret-fr/core';
import type { Checkpoint, ModelSpec, RngState, TensorEntry } from '@interpret-fr/core';
import {
  checkpointName,
  ensureDir,
  fsError,
  latestCheckpoint,
  listCheckpoints,
  readCheckpointDir,
  readJsonLines,
  RunDirError,
  runPaths,
  writeCheckpointDir,
  writeCheckpointPointer,
  writeFileAtomic,
} from '@interpret-fr/core/node';
import type { DataPosition } from './data/types.ts';
import type { TrainEvent } from './events.ts';

export { checkpointName, latestCheckpoint };

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

/** Names of the train-state files beside a checkpoint. */
export const TRAIN_STATE_FILES = { manifest: 'train-state.json', weights: 'train-state.bin' } as const;

/** Creates the run directory (and `checkpoints/`) and writes `config.json`. */
export function initRunDir(runDir: string, config: unknown): void {
  const p = runPaths(runDir);
  ensureDir(p.checkpoints);
  writeFileAtomic(p.config, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Makes `events.jsonl` safe to append to after a crash: a torn last line (a writer killed
 * mid-append) is cut off. Returns the removed text, or null when the file was intact.
 */
export function repairEvents(runDir: string): string | null {
  const p = runPaths(runDir).events;
  if (!existsSync(p)) return null;
  const text = readFileSync(p, 'utf8');
  if (text === '' || text.endsWith('\n')) return null;
  const keep = text.lastIndexOf('\n') + 1;
  truncateSync(p, Buffer.byteLength(text.slice(0, keep), 'utf8'));
  return text.slice(keep);
}

/** Appends one event to `events.jsonl` (one write of one whole line). */
export function appendEvent(runDir: string, ev: TrainEvent): void {
  const p = runPaths(runDir).events;
  try {
    appendFileSync(p, `${JSON.stringify(ev)}\n`);
  } catch (e) {
    throw fsError(e, p, 'append an event');
  }
}

/**
 * Reads `events.jsonl` (missing file: empty list). A torn last line is ignored; any other bad line
 * throws naming the file and the line.
 */
export function readEvents(runDir: string): TrainEvent[] {
  return readJsonLines(runPaths(runDir).events).records as TrainEvent[];
}

/** Writes a checkpoint-codec pair of files (encode + atomic writes). */
function writeCkFiles(dir: string, manifestName: string, weightsName: string, ck: Checkpoint): void {
  const { manifest, weights } = encodeCheckpoint(ck);
  writeFileAtomic(join(dir, weightsName), weights);
  writeFileAtomic(join(dir, manifestName), manifest);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort (not every platform can fsync a directory).
  }
}

/**
 * Saves a checkpoint and its train state, moves the pointer, prunes old ones (by step number,
 * never the one just written). Returns the new folder and the removed ones.
 */
export function saveCheckpoint(runDir: string, model: Checkpoint, state: TrainState, keepLast: number): { path: string; removed: string[] } {
  const name = checkpointName(state.step);
  const root = runPaths(runDir).checkpoints;
  ensureDir(root);
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    writeCheckpointDir(tmp, model);
    const { optimizer, ...rest } = state;
    writeCkFiles(tmp, TRAIN_STATE_FILES.manifest, TRAIN_STATE_FILES.weights, { spec: model.spec, tensors: optimizer, meta: { trainState: rest } });
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw fsError(e, final, 'save the checkpoint');
  }
  fsyncDir(root);
  writeCheckpointPointer(runDir, name);
  const removed: string[] = [];
  const all = listCheckpoints(runDir).filter((c) => c.path !== final);
  for (const c of all.slice(0, Math.max(0, all.length - (keepLast - 1)))) {
    rmSync(c.path, { recursive: true, force: true });
    removed.push(c.path);
  }
  return { path: final, removed };
}

/** Reads a model checkpoint folder (`manifest.json` + `weights.bin`); `onWarning` hears about legacy (v1) checkpoints. */
export function readModelCheckpoint(dir: string, onWarning?: (message: string) => void): Checkpoint {
  if (!existsSync(join(dir, 'manifest.json'))) throw new RunDirError(`${dir}: not a checkpoint folder (no manifest.json)`, dir);
  return readCheckpointDir(dir, onWarning ? { onWarning } : {});
}

/** Refuses tensors holding NaN or ±Infinity, naming the tensor, the element and the file. */
export function assertFinite(tensors: readonly TensorEntry[], where: string): void {
  const bad = firstNonFinite(tensors);
  if (bad) throw new RunDirError(`${where}: tensor "${bad.name}" holds ${bad.value} at element ${bad.index}; refusing to train from non-finite weights`, where);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads the train state saved beside a checkpoint; every error names `train-state.json` or `train-state.bin`. */
export function readTrainState(dir: string): TrainState & { spec: ModelSpec } {
  const file = join(dir, TRAIN_STATE_FILES.manifest);
  const bin = join(dir, TRAIN_STATE_FILES.weights);
  if (!existsSync(file)) throw new RunDirError(`${dir}: no ${TRAIN_STATE_FILES.manifest} (a checkpoint from another tool cannot be resumed, only used with init.from)`, file);
  let ck: Checkpoint;
  try {
    ck = decodeCheckpoint(readFileSync(file, 'utf8'), new Uint8Array(readFileSync(bin)));
  } catch (e) {
    if (e instanceof CheckpointError) {
      const path = e.file === 'weights.bin' ? bin : file;
      const msg = e.file && e.message.startsWith(`${e.file}: `) ? e.message.slice(e.file.length + 2) : e.message;
      throw new RunDirError(`${path}: ${msg}`, path);
    }
    const code = (e as NodeJS.ErrnoException).code;
    const path = code === 'ENOENT' && !existsSync(bin) ? bin : file;
    throw new RunDirError(`${path}: cannot read (${code ?? (e as Error).message})`, path);
  }
  const st = ck.meta.trainState;
  const bad = (what: string): never => {
    throw new RunDirError(`${file}: meta.trainState${what}`, file);
  };
  if (!isObj(st)) bad(' is missing (not a train state)');
  const s = st as Record<string, unknown>;
  if (!isNat(s.step)) bad(`.step must be a non-negative integer, got ${JSON.stringify(s.step)}`);
  if (!isNat(s.skippedImages)) bad(`.skippedImages must be a non-negative integer, got ${JSON.stringify(s.skippedImages)}`);
  if (!isObj(s.rng) || s.rng.step === undefined || s.rng.occlusion === undefined) bad('.rng must hold the "step" and "occlusion" RNG states');
  if (!isObj(s.data)) bad('.data (the data position) must be an object');
  assertFinite(ck.tensors, bin);
  return { ...(s as unknown as Omit<TrainState, 'optimizer'>), optimizer: ck.tensors, spec: ck.spec };
}

/**
 * Resolves a user-given checkpoint path: a checkpoint folder, or a run directory (its latest
 * checkpoint).
 */
export function resolveCheckpointPath(path: string): string {
  if (existsSync(join(path, 'manifest.json'))) return path;
  const latest = latestCheckpoint(path);
  if (latest) return latest;
  throw new RunDirError(`${path}: neither a checkpoint folder (manifest.json) nor a run directory with a "checkpoint" pointer`, path);
}
