/**
 * `pnpm chaos:train`: the crash campaign. Trains the tiny preset on a tiny synthetic set while
 * killing the trainer: kill -9 at random moments, kill -9 while a checkpoint is being written
 * (its `.tmp-step-*` folder exists), SIGTERM (must save and exit 143), and a full disk (the run on a
 * size-limited tmpfs: the trainer must fail with ENOSPC naming the file, leave the last checkpoint
 * loadable, and resume once there is room). After every interruption the latest checkpoint must
 * load and be at least as recent as the last checkpoint the trainer announced; every round then
 * resumes to the end and its final weights must equal an uninterrupted run's bit for bit.
 *
 * Usage: pnpm chaos:train [--kills 30] [--rounds 6] [--steps 16] [--backend wasm] [--seed 1]
 *                         [--work DIR] [--no-full-disk]
 * Prints one JSON line per event on stderr and a summary table on stdout; exit 1 on any failure.
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@interpret-fr/core';
import { latestCheckpoint, readCheckpointDir, runPaths } from '@interpret-fr/core/node';
import { readTrainState } from '../src/run-dir.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '6' },
    steps: { type: 'string', default: '16' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
    'no-full-disk': { type: 'boolean', default: false },
  },
});
const int = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`chaos-train: --${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
};
const KILLS = int('kills', values.kills, 0);
const ROUNDS = int('rounds', values.rounds, 1);
const STEPS = int('steps', values.steps, 4);
const rng = new Rng(int('seed', values.seed, 0));
const work = resolve(values.work ?? mkdtempSync(join(tmpdir(), 'interpret-fr-chaos-')));
mkdirSync(work, { recursive: true });
const bin = resolve(import.meta.dirname, '../src/bin.ts');
const cache = join(work, 'cache');
const ARGS = [
  '--preset',
  'tiny',
  '--backend',
  values.backend,
  '--steps',
  String(STEPS),
  '--set',
  'data.synthetic.identities=4',
  '--set',
  'data.synthetic.imagesPerIdentity=8',
  '--set',
  'data.synthetic.seed=11',
  '--set',
  `data.cacheDir=${cache}`,
  '--set',
  'batchSize=4',
  '--set',
  'logEvery=1',
  '--set',
  'checkpointEvery=2',
  '--set',
  'keepLast=2',
  '--set',
  'evalImages=0',
  '--json',
];
const log = (o: Record<string, unknown>): void => void process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);

type Action = { kind: 'kill-random'; afterMs: number } | { kind: 'kill-during-checkpoint' } | { kind: 'sigterm'; afterSteps: number } | { kind: 'none' };

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Step of the last `checkpoint` event seen. */
  lastCheckpointStep: number | null;
  done: boolean;
  stderrTail: string;
  acted: boolean;
}

/** Runs the trainer once into `out` and applies `action` to it. */
function runOnce(out: string, resume: boolean, action: Action): Promise<RunOutcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--conditions=@interpret-fr/source', '--import', 'tsx', bin, ...ARGS, '--out', out, ...(resume ? ['--resume'] : [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: resolve(import.meta.dirname, '..'),
    });
    let buf = '';
    let tail = '';
    let lastCheckpointStep: number | null = null;
    let isDone = false;
    let acted = false;
    let poll: NodeJS.Timeout | null = null;
    let timer: NodeJS.Timeout | null = null;
    const act = (sig: NodeJS.Signals): void => {
      if (acted) return;
      acted = true;
      child.kill(sig);
    };
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      tail = (tail + s).slice(-2000);
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let e: { type?: string; step?: number; reason?: string };
        try {
          e = JSON.parse(line) as typeof e;
        } catch {
          continue;
        }
        if (e.type === 'checkpoint') lastCheckpointStep = e.step!;
        if (e.type === 'done' && e.reason === 'completed') isDone = true;
        if (e.type === 'start' && action.kind === 'kill-random') timer = setTimeout(() => act('SIGKILL'), action.afterMs);
        if (e.type === 'start' && action.kind === 'kill-during-checkpoint') {
          const dir = runPaths(out).checkpoints;
          poll = setInterval(() => {
            try {
              if (readdirSync(dir).some((n) => n.startsWith('.tmp-'))) act('SIGKILL');
            } catch {
              // not there yet
            }
          }, 2);
        }
        if (e.type === 'step' && action.kind === 'sigterm' && e.step! >= action.afterSteps) act('SIGTERM');
      }
    });
    child.on('exit', (code, signal) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      done({ code, signal, lastCheckpointStep, done: isDone, stderrTail: tail, acted });
    });
  });
}

interface Check {
  ok: boolean;
  step: number | null;
  why: string;
}

/** The latest checkpoint loads (model + train state) and is not older than the last one announced. */
function checkLatest(out: string, announced: number | null): Check {
  let dir: string | null;
  try {
    dir = latestCheckpoint(out);
  } catch (e) {
    return { ok: false, step: null, why: (e as Error).message };
  }
  if (dir === null)
    return announced === null ? { ok: true, step: null, why: 'no checkpoint yet' } : { ok: false, step: null, why: `pointer missing after checkpoint ${announced}` };
  try {
    readCheckpointDir(dir);
    const st = readTrainState(dir);
    if (announced !== null && st.step < announced) return { ok: false, step: st.step, why: `latest is step ${st.step}, but step ${announced} was announced` };
    return { ok: true, step: st.step, why: 'loads' };
  } catch (e) {
    return { ok: false, step: null, why: (e as Error).message };
  }
}

function finalWeights(out: string): string {
  const ck = readCheckpointDir(join(out, 'checkpoints', `step-${String(STEPS).padStart(6, '0')}`));
  return ck.integrity!.weightsSha256;
}

const tally = {
  killRandom: 0,
  killCheckpoint: 0,
  sigterm: 0,
  sigtermSaved: 0,
  fullDisk: 0,
  fullDiskClean: 0,
  lostCheckpoints: 0,
  loadsChecked: 0,
  rounds: 0,
  bitExact: 0,
  restarts: 0,
  orphanFree: 0,
};
const failures: string[] = [];

/** Drives one run directory through `actions`, then resumes it to the end; returns its final weights hash. */
async function round(out: string, actions: Action[]): Promise<string | null> {
  let announced: number | null = null;
  for (const action of [...actions, { kind: 'none' } as Action]) {
    const resume = latestCheckpoint(out) !== null;
    const r = await runOnce(out, resume, action);
    tally.restarts++;
    announced = r.lastCheckpointStep ?? announced;
    if (action.kind !== 'none' && !r.acted && r.done) {
      // Finished before the action fired: this round has no more steps to interrupt.
      log({ event: 'finished-early', action: action.kind });
      return finalWeights(out);
    }
    if (action.kind === 'kill-random' || action.kind === 'kill-during-checkpoint') {
      if (r.signal !== 'SIGKILL') {
        failures.push(`${out}: expected a SIGKILL exit, got code ${r.code} signal ${r.signal}: ${r.stderrTail.slice(-300)}`);
        return null;
      }
      tally[action.kind === 'kill-random' ? 'killRandom' : 'killCheckpoint']++;
    } else if (action.kind === 'sigterm') {
      tally.sigterm++;
      if (r.code === 143) tally.sigtermSaved++;
      else failures.push(`${out}: SIGTERM gave exit code ${r.code} (signal ${r.signal}), expected 143`);
    } else if (r.code !== 0 || !r.done) {
      failures.push(`${out}: final resume failed (code ${r.code}): ${r.stderrTail.slice(-400)}`);
      return null;
    }
    const c = checkLatest(out, announced);
    tally.loadsChecked++;
    if (!c.ok) {
      tally.lostCheckpoints++;
      failures.push(`${out}: after ${action.kind}: ${c.why}`);
    }
    log({ event: 'cycle', out, action: action.kind, code: r.code, signal: r.signal, latest: c.step, check: c.why });
  }
  return finalWeights(out);
}

/** The full-disk case: the run on a small tmpfs; ENOSPC must stop it cleanly; then grow and resume. */
async function fullDisk(refHash: string): Promise<void> {
  const mnt = join(work, 'small-disk');
  mkdirSync(mnt, { recursive: true });
  // Each checkpoint of the tiny model is ~1 MB (weights + Adam state); 2.6 MB holds two and a half.
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2600k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    log({ event: 'full-disk-skipped', why: (m.stderr || 'mount failed').trim() });
    return;
  }
  try {
    const out = join(mnt, 'run');
    const r = await runOnce(out, false, { kind: 'none' });
    tally.fullDisk++;
    const enospc = /ENOSPC|no space left on device/.test(r.stderrTail);
    if (r.code === 0 || !enospc) failures.push(`full disk: expected a non-zero exit naming ENOSPC, got code ${r.code}: ${r.stderrTail.slice(-300)}`);
    const c = checkLatest(out, r.lastCheckpointStep);
    tally.loadsChecked++;
    if (!c.ok) {
      tally.lostCheckpoints++;
      failures.push(`full disk: ${c.why}`);
    }
    const leftovers = readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('.tmp-'));
    if (leftovers.length === 0) tally.orphanFree++;
    if (c.ok && enospc && r.code !== 0) tally.fullDiskClean++;
    log({ event: 'full-disk', code: r.code, message: r.stderrTail.trim().split('\n').at(-1), latest: c.step, leftovers });
    spawnSync('mount', ['-o', 'remount,size=64m', mnt]);
    const resumed = await runOnce(out, latestCheckpoint(out) !== null, { kind: 'none' });
    if (resumed.code !== 0) failures.push(`full disk: resume after freeing space failed (code ${resumed.code}): ${resumed.stderrTail.slice(-300)}`);
    else {
      tally.rounds++;
      const h = finalWeights(out);
      if (h === refHash) tally.bitExact++;
      else failures.push(`full disk: final weights ${h} differ from the uninterrupted run's ${refHash}`);
    }
  } finally {
    spawnSync('umount', [mnt]);
  }
}

async function mainChaos(): Promise<void> {
  const t0 = performance.now();
  log({ event: 'reference', work, steps: STEPS, backend: values.backend });
  const ref = join(work, 'reference');
  rmSync(ref, { recursive: true, force: true });
  const r = await runOnce(ref, false, { kind: 'none' });
  if (r.code !== 0) throw new Error(`reference run failed (code ${r.code}): ${r.stderrTail.slice(-500)}`);
  const refHash = finalWeights(ref);
  const perRound = Math.ceil(KILLS / ROUNDS);
  let killsLeft = KILLS;
  for (let k = 0; k < ROUNDS; k++) {
    const out = join(work, `round-${k + 1}`);
    rmSync(out, { recursive: true, force: true });
    const actions: Action[] = [];
    const n = Math.min(perRound, killsLeft);
    for (let i = 0; i < n; i++) {
      actions.push(rng.float() < 0.4 ? { kind: 'kill-during-checkpoint' } : { kind: 'kill-random', afterMs: Math.round(rng.float() * 6000) });
    }
    killsLeft -= n;
    // One SIGTERM per round, at a random point among the kills.
    actions.splice(Math.floor(rng.float() * (actions.length + 1)), 0, { kind: 'sigterm', afterSteps: 1 + Math.floor(rng.float() * 2) });
    const h = await round(out, actions);
    if (h !== null) {
      tally.rounds++;
      if (h === refHash) tally.bitExact++;
      else failures.push(`${out}: final weights ${h} differ from the uninterrupted run's ${refHash}`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  if (!values['no-full-disk']) await fullDisk(refHash);
  const kills = tally.killRandom + tally.killCheckpoint;
  const rows: [string, string | number][] = [
    ['kill -9 at a random moment', tally.killRandom],
    ['kill -9 during a checkpoint write', tally.killCheckpoint],
    ['kills in total', kills],
    ['SIGTERM (saved, exit 143)', `${tally.sigterm} (${tally.sigtermSaved})`],
    ['full disk (ENOSPC, clean stop, no temp left)', `${tally.fullDisk} (${tally.fullDiskClean}, ${tally.orphanFree})`],
    ['latest checkpoint checks (load + not older than announced)', tally.loadsChecked],
    ['lost checkpoints', tally.lostCheckpoints],
    ['runs resumed to the end', tally.rounds],
    ['resume bit-exact (final weights = uninterrupted run)', `${tally.bitExact === tally.rounds && tally.rounds > 0 ? 'yes' : 'no'} (${tally.bitExact}/${tally.rounds})`],
    ['trainer processes started', tally.restarts + 1],
    ['wall time', `${((performance.now() - t0) / 60000).toFixed(1)} min`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  process.stdout.write(`\nchaos:train: tiny preset, ${STEPS} steps, checkpoint every 2, backend ${values.backend}, seed ${values.seed}\n\n`);
  process.stdout.write(`| ${'case'.padEnd(w)} | result |\n|${'-'.repeat(w + 2)}|--------|\n`);
  for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
  if (failures.length) {
    process.stdout.write(`\n${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
  if (!values.work) rmSync(work, { recursive: true, force: true });
}

await mainChaos();
