/**
 * The run-directory layout, in one place (the trainer writes it; model-export, eval, the package
 * scripts and the demo's Vite config read it):
 *
 * ```
 * runs/latest                      pointer: the name of the last finished default run (inside runs/)
 * runs/<run>/config.json           resolved training config
 * runs/<run>/events.jsonl          one training event per line (appended)
 * runs/<run>/run.lock              the pid of the process writing the run (while it runs)
 * runs/<run>/checkpoint            pointer: "checkpoints/step-000300" (written atomically)
 * runs/<run>/checkpoints/step-N/   manifest.json + weights.bin (+ train-state.json/.bin)
 * runs/<run>/summary.json, loss.svg
 * runs/<run>/model.onnx            the exported model
 * runs/<run>/eval/                 evaluation reports
 * ```
 *
 * Pointers are never followed outside their directory: `runs/latest` must name a run inside
 * `runs/`, a run's `checkpoint` must name a folder inside its `checkpoints/`.
 *
 * @module
 */
import { existsSync, linkSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MANIFEST_FILE } from '../checkpoint.ts';
import { InterpretFrError } from '../errors.ts';
import { atomicTempName, FsError, isAtomicTempName, writeFileAtomic } from './fs.ts';

/** File and folder names inside a run directory. */
export const RUN_LAYOUT = {
  config: 'config.json',
  events: 'events.jsonl',
  lock: 'run.lock',
  pointer: 'checkpoint',
  checkpoints: 'checkpoints',
  summary: 'summary.json',
  lossSvg: 'loss.svg',
  model: 'model.onnx',
  eval: 'eval',
} as const;

/** Name of the pointer file in a runs folder that names the last finished default run. */
export const LATEST_RUN_FILE = 'latest';

/** Absolute paths of everything in a run directory. */
export type RunPaths = { root: string } & { [K in keyof typeof RUN_LAYOUT]: string };

/** The paths of a run directory's files ({@link RUN_LAYOUT}). */
export function runPaths(runDir: string): RunPaths {
  const root = resolve(runDir);
  const out = { root } as RunPaths;
  for (const [k, v] of Object.entries(RUN_LAYOUT)) (out as Record<string, string>)[k] = join(root, v);
  return out;
}

/** A run-directory problem (bad pointer, lock held…); the message names the file. */
export class RunDirError extends InterpretFrError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message, { code: 'checkpoint' });
    this.name = 'RunDirError';
  }
}

const STEP_RE = /^step-(\d+)$/;

/** Name of a step's checkpoint folder: `step-000300` (at least 6 digits; more above 999999). */
export function checkpointName(step: number): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`checkpointName: step must be a non-negative integer, got ${step}`);
  return `step-${String(step).padStart(6, '0')}`;
}

/** The step of a checkpoint folder name (`step-1000000` → 1000000), or null for other names. */
export function checkpointStep(name: string): number | null {
  const m = STEP_RE.exec(name);
  return m ? Number(m[1]) : null;
}

/** A checkpoint folder of a run. */
export interface CheckpointFolder {
  name: string;
  step: number;
  path: string;
}

/** The run's `checkpoints/step-*` folders, sorted by step number (not by name: step 1,000,000 comes last). */
export function listCheckpoints(runDir: string): CheckpointFolder[] {
  const dir = runPaths(runDir).checkpoints;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, step: checkpointStep(name), path: join(dir, name) }))
    .filter((c): c is CheckpointFolder => c.step !== null)
    .sort((a, b) => a.step - b.step);
}

/** Whether `child` is `parent` itself or inside it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * The checkpoint folder the run's `checkpoint` pointer names, or null when there is no pointer.
 * Throws {@link RunDirError} when the pointer leads outside `checkpoints/`.
 */
export function latestCheckpoint(runDir: string): string | null {
  const p = runPaths(runDir);
  if (!existsSync(p.pointer)) return null;
  const rel = readFileSync(p.pointer, 'utf8').trim();
  const target = resolve(p.root, rel);
  if (!isInside(p.checkpoints, target) || target === p.checkpoints) {
    throw new RunDirError(`${p.pointer}: points to "${rel}", outside ${p.checkpoints}; refusing to follow it`, p.pointer);
  }
  return target;
}

/** Points the run's `checkpoint` file at `checkpoints/<name>` (atomically). */
export function writeCheckpointPointer(runDir: string, name: string): void {
  writeFileAtomic(runPaths(runDir).pointer, `${RUN_LAYOUT.checkpoints}/${name}\n`);
}

/** Where the checkpoint and the config of a run are. */
export interface RunLocation {
  /** Checkpoint folder (has manifest.json). */
  checkpointDir: string;
  /** The run's config.json, when found. */
  configPath: string | null;
  /** The run directory, when `path` was one (or the checkpoint sits in one). */
  runDir: string | null;
}

/**
 * Resolves `path`: a checkpoint folder itself, or a run directory (the `checkpoint` pointer, else
 * the highest-step `checkpoints/step-*`). Throws {@link RunDirError} naming what was looked for.
 */
export function locateRun(path: string): RunLocation {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new RunDirError(`${abs}: no such directory`, abs);
  if (existsSync(join(abs, MANIFEST_FILE))) {
    const up = dirname(dirname(abs));
    const inRun = existsSync(runPaths(up).config) && dirname(abs) === runPaths(up).checkpoints;
    return { checkpointDir: abs, configPath: inRun ? runPaths(up).config : null, runDir: inRun ? up : null };
  }
  const p = runPaths(abs);
  let ck = latestCheckpoint(abs);
  if (ck !== null) {
    if (!existsSync(join(ck, MANIFEST_FILE))) throw new RunDirError(`${p.pointer}: points to "${relative(abs, ck)}", which has no ${MANIFEST_FILE}`, p.pointer);
  } else {
    const all = listCheckpoints(abs);
    if (all.length === 0)
      throw new RunDirError(`${abs}: neither a checkpoint folder (${MANIFEST_FILE}) nor a run directory (${RUN_LAYOUT.pointer} pointer or ${RUN_LAYOUT.checkpoints}/step-*)`, abs);
    ck = all[all.length - 1]!.path;
  }
  return { checkpointDir: ck, configPath: existsSync(p.config) ? p.config : null, runDir: abs };
}

/**
 * The run directory `runsDir/latest` names. The pointer holds a run name (or, as older trainers
 * wrote, an absolute path) and must resolve inside `runsDir`: anything else is refused.
 */
export function readLatestRun(runsDir: string): string {
  const root = resolve(runsDir);
  const p = join(root, LATEST_RUN_FILE);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunDirError(code === 'ENOENT' ? `${p}: not found (train a run with the default --out first, e.g. pnpm train)` : `${p}: cannot read (${code})`, p);
  }
  const name = text.trim();
  const target = resolve(root, name);
  if (name === '' || target === root || !isInside(root, target)) throw new RunDirError(`${p}: names "${name}", which is not a run inside ${root}; refusing to follow it`, p);
  if (!existsSync(target)) throw new RunDirError(`${p}: names "${name}", which does not exist`, p);
  return target;
}

/** Records `runDir` (which must be inside `runsDir`) as `runsDir/latest`. */
export function writeLatestRun(runsDir: string, runDir: string): void {
  const root = resolve(runsDir);
  const target = resolve(runDir);
  if (target === root || !isInside(root, target)) throw new RunDirError(`${target}: not inside ${root}; not recorded as its latest run`, target);
  writeFileAtomic(join(root, LATEST_RUN_FILE), `${relative(root, target)}\n`);
}

/** A held run lock; `release()` removes it (only if it is still ours). */
export interface RunLock {
  path: string;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  token: string;
}

function readLock(path: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof v?.pid === 'number' ? v : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run directory's lock (`run.lock`, created with an atomic hard link so two writers
 * cannot both get it). A lock held by a live process is an error naming its pid; a lock left by a
 * dead process (kill -9, power cut) on this host is taken over. The directory must exist.
 *
 * @example const lock = acquireRunLock(runDir); try { … } finally { lock.release(); }
 */
export function acquireRunLock(runDir: string): RunLock {
  const path = runPaths(runDir).lock;
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token };
  const tmp = atomicTempName(path);
  writeFileAtomic(tmp, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, path);
        const got = readLock(path);
        if (got?.token === token) {
          return {
            path,
            release: () => {
              if (readLock(path)?.token === token) rmSync(path, { force: true });
            },
          };
        }
        continue;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new FsError(`${path}: cannot create the run lock: ${(e as Error).message}`, path, (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
      }
      const held = readLock(path);
      if (held && (held.host !== hostname() || processAlive(held.pid))) {
        const who = held.host !== hostname() ? `pid ${held.pid} on host ${held.host}` : `pid ${held.pid}`;
        throw new RunDirError(
          `${runDir}: already in use by ${who} (since ${held.started}; lock ${path}). Wait for it, or use another --out; if that process is not writing this run, delete the lock file`,
          path,
        );
      }
      // Stale (dead pid) or unreadable: take it over. Rename it aside (atomic: of two processes
      // taking over, only one moves it), check that what moved is the stale lock we judged (not a
      // fresh lock another process just took, which goes back), then compete for it with link().
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // Gone already: another process is taking it over; try again.
      }
      const moved = readLock(aside);
      if (held !== null && moved?.token !== held.token) {
        try {
          linkSync(aside, path);
        } catch {
          // Someone else holds it now; the next attempt reports them.
        }
      }
      rmSync(aside, { force: true });
    }
    throw new RunDirError(`${path}: could not take the run lock (other processes keep taking it)`, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes what a crashed writer leaves in a run directory: `checkpoints/.tmp-*` folders and
 * `writeFileAtomic` temp files. Call it only while holding the run lock. Returns the removed paths.
 */
export function removeOrphanTemps(runDir: string): string[] {
  const p = runPaths(runDir);
  const removed: string[] = [];
  const sweep = (dir: string, match: (n: string) => boolean): void => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      if (!match(n)) continue;
      rmSync(join(dir, n), { recursive: true, force: true });
      removed.push(join(dir, n));
    }
  };
  sweep(p.checkpoints, (n) => n.startsWith('.tmp-') || isAtomicTempName(n));
  sweep(p.root, (n) => isAtomicTempName(n) || n.startsWith(`${RUN_LAYOUT.lock}.stale-`));
  for (const c of listCheckpoints(p.root)) sweep(c.path, isAtomicTempName);
  return removed;
}
