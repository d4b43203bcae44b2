/**
 * Reliability of a training run (issue 11): divergence stops the run and keeps the last good
 * checkpoint, non-finite init.from is refused, one writer per run directory, numeric pruning,
 * crash leftovers (torn events line, orphan temp folders) cleaned on resume, corrupt train state
 * named, SIGTERM saves like SIGINT, bad options named.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng, firstNonFinite, paramInfos, presetSpec } from '@interpret-fr/core';
import type { TensorEntry } from '@interpret-fr/core';
import { latestCheckpoint, listCheckpoints, runPaths, writeCheckpointDir } from '@interpret-fr/core/node';
import { loadBackend } from '../src/backend.ts';
import { main } from '../src/cli.ts';
import { resolveConfig } from '../src/config.ts';
import type { TrainEvent } from '../src/events.ts';
import { train } from '../src/train.ts';
import { readEvents, readModelCheckpoint, readTrainState, saveCheckpoint } from '../src/run-dir.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CACHE = join(tmpdir(), 'interpret-fr-test-cache');
const SYN = ['data.synthetic.identities=4', 'data.synthetic.imagesPerIdentity=8', 'data.synthetic.seed=11', `data.cacheDir=${CACHE}`, 'backend=cpu', 'evalImages=0', 'batchSize=4'];
const fresh = (name: string): string => {
  const d = join(tmpdir(), `interpret-fr-rel-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  return d;
};

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } }, out: () => out, err: () => err };
}

function randomTensors(numClasses: number): TensorEntry[] {
  const spec = presetSpec('interpretable-tiny', { numClasses });
  const rng = new Rng(5);
  return paramInfos(spec).map((p) => ({
    name: p.name,
    shape: p.shape,
    dtype: 'float32',
    data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => 0.01 * rng.normal()),
  }));
}

describe('training reliability', () => {
  it('--set optimizer.lr=1e30: stops with a clear error, exit 1, the last good checkpoint stays the latest', async () => {
    const out = fresh('diverge');
    const c = io();
    const code = await main(
      ['--preset', 'tiny', ...SYN.flatMap((s) => ['--set', s]), '--set', 'optimizer.lr=1e30', '--set', 'logEvery=1', '--set', 'checkpointEvery=1', '--steps', '8', '--out', out],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err().trim().split('\n').at(-1)).toMatch(
      /^interpret-fr-train: training diverged at step \d+: (loss "\w+" is (NaN|Infinity|-Infinity)|tensor "[^"]+" holds \S+ at element \d+ \(not saved\)); (the last good checkpoint .* is kept as the latest|no checkpoint was written before it)\. Lower optimizer\.lr/,
    );
    const events = readEvents(out);
    const div = events.find((e) => e.type === 'diverged') as Extract<TrainEvent, { type: 'diverged' }>;
    expect(div).toBeDefined();
    expect(events.some((e) => e.type === 'done')).toBe(false);
    const latest = latestCheckpoint(out);
    expect(latest).toBe(div.lastCheckpoint);
    if (latest) {
      const ck = readModelCheckpoint(latest);
      expect(firstNonFinite(ck.tensors)).toBeNull();
      expect(Number(/step-(\d+)/.exec(latest)![1])).toBeLessThan(div.step);
    }
    expect(existsSync(runPaths(out).lock)).toBe(false);
  });

  it('init.from a checkpoint with a NaN weight is refused naming the tensor', async () => {
    const backend = await loadBackend('cpu');
    const base = fresh('nan-base');
    const tensors = randomTensors(4);
    (tensors[0]!.data as Float32Array)[7] = Number.NaN;
    writeCheckpointDir(base, { spec: presetSpec('interpretable-tiny', { numClasses: 4 }), tensors, meta: {} });
    const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'steps=1', `init.from=${base}`] });
    await expect(train(cfg, { runDir: fresh('nan-run'), backend })).rejects.toThrow(
      new RegExp(`init\\.from ${base}/weights\\.bin: tensor "${tensors[0]!.name}" holds NaN at element 7; refusing to train from non-finite weights`),
    );
  });

  it('a second writer into the same --out is refused naming the holder pid', async () => {
    const backend = await loadBackend('cpu');
    const out = fresh('locked');
    mkdirSync(out, { recursive: true });
    const holder = spawn('sleep', ['60']);
    try {
      writeFileSync(runPaths(out).lock, JSON.stringify({ pid: holder.pid, host: hostname(), started: 'now', token: 't' }));
      const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'steps=1'] });
      await expect(train(cfg, { runDir: out, backend })).rejects.toThrow(new RegExp(`already in use by pid ${holder.pid} `));
      expect(existsSync(runPaths(out).config)).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('pruning sorts by step number: saving step 1,000,000 keeps it (keepLast 2)', () => {
    const out = fresh('prune');
    const spec = presetSpec('interpretable-tiny', { numClasses: 4 });
    const tensors = randomTensors(4);
    const rng = new Rng(1);
    for (const step of [999_998, 999_999, 1_000_000]) {
      const st = {
        step,
        rng: { step: rng.state(), occlusion: rng.state() },
        data: { epoch: 0, index: 0, permRng: rng.state(), cropRng: rng.state() },
        skippedImages: 0,
        optimizer: [],
      };
      saveCheckpoint(out, { spec, tensors, meta: { step } }, st, 2);
    }
    expect(listCheckpoints(out).map((c) => c.step)).toEqual([999_999, 1_000_000]);
    expect(latestCheckpoint(out)).toBe(join(out, 'checkpoints', 'step-1000000'));
    expect(readTrainState(latestCheckpoint(out)!).step).toBe(1_000_000);
  });

  it('resume after a crash: a torn events line and an orphan temp folder are cleaned; a corrupt train state is named', async () => {
    const backend = await loadBackend('cpu');
    const out = fresh('crash');
    const cfg = resolveConfig({ preset: 'tiny', sets: [...SYN, 'steps=2', 'logEvery=1'] });
    await train(cfg, { runDir: out, backend });
    // What kill -9 mid-append and mid-checkpoint leave behind.
    appendFileSync(runPaths(out).events, '{"type":"step","step":3,"tot');
    const orphan = join(out, 'checkpoints', '.tmp-step-000003-4242');
    mkdirSync(orphan);
    writeFileSync(join(orphan, 'weights.bin'), new Uint8Array(1000));
    const warnings: string[] = [];
    const res = await train({ ...cfg, steps: 3 }, { runDir: out, backend, resume: true, onEvent: (e) => e.type === 'warning' && warnings.push(e.message) });
    expect([res.reason, res.step]).toEqual(['completed', 3]);
    expect(existsSync(orphan)).toBe(false);
    expect(warnings.join('\n')).toMatch(/removed 1 temporary file\(s\) left by an interrupted run/);
    expect(warnings.join('\n')).toMatch(/events\.jsonl: removed a torn last line/);
    // Every line of events.jsonl parses again (the torn one was cut, not glued to the next event).
    for (const l of readFileSync(runPaths(out).events, 'utf8').trim().split('\n')) JSON.parse(l);

    const dir = latestCheckpoint(out)!;
    const stateJson = join(dir, 'train-state.json');
    const good = readFileSync(stateJson, 'utf8');
    writeFileSync(stateJson, good.slice(0, 50));
    expect(() => readTrainState(dir)).toThrow(new RegExp(`^${stateJson}: not valid JSON`));
    const m = JSON.parse(good) as { meta: Record<string, unknown> };
    m.meta = {};
    writeFileSync(stateJson, JSON.stringify(m));
    // The hash catches the edit first; either way the message names train-state.json, never "reading 'step'".
    expect(() => readTrainState(dir)).toThrow(new RegExp(`^${stateJson}: `));
    rmSync(join(dir, 'train-state.bin'));
    writeFileSync(stateJson, good);
    expect(() => readTrainState(dir)).toThrow(new RegExp(`^${join(dir, 'train-state.bin')}: cannot read \\(ENOENT\\)`));
  });

  it('bad options are one line naming the option; bad JSON names the file, line and column; /proc refused fast', async () => {
    let c = io();
    expect(await main(['--preset', 'tiny', '--seed', 'abc'], c.io)).toBe(2);
    expect(c.err()).toBe('interpret-fr-train: --seed: expected an integer in [0, inf], got "abc" (see interpret-fr-train --help)\n');
    c = io();
    expect(await main(['--preset', 'tiny', '--steps=-5'], c.io)).toBe(2);
    expect(c.err()).toBe('interpret-fr-train: --steps: expected an integer in [0, inf] or null, got -5 (see interpret-fr-train --help)\n');
    const dir = fresh('badjson');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'c.json'), '{\n  "steps": 3,\n  "seed": abc\n}\n');
    c = io();
    expect(await main(['--config', join(dir, 'c.json')], c.io)).toBe(1);
    expect(c.err()).toMatch(new RegExp(`^interpret-fr-train: ${join(dir, 'c.json')}:3:11: invalid JSON`));
    c = io();
    const t0 = performance.now();
    expect(await main(['--preset', 'tiny', ...SYN.flatMap((s) => ['--set', s]), '--out', '/proc/interpret-fr/run'], c.io)).toBe(1);
    expect(c.err()).toMatch(/refusing to use a directory on the proc pseudo file system/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('SIGTERM saves a checkpoint and exits 143, like SIGINT (130)', async () => {
    const out = fresh('sigterm');
    const bin = resolve(here, '../src/bin.ts');
    // `node --import tsx` (not the tsx CLI, whose wrapper process does not relay SIGTERM to a handler).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', bin, '--preset', 'tiny', ...SYN.flatMap((s) => ['--set', s]), '--set', 'logEvery=1', '--steps', '100000', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: resolve(here, '..') },
    );
    let buf = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        buf += d.toString();
        if (/"type":"step","step":2,/.test(buf) && !child.killed) child.kill('SIGTERM');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code).toBe(143);
    const events = readEvents(out);
    const done = events.find((e) => e.type === 'done') as Extract<TrainEvent, { type: 'done' }>;
    expect(done.reason).toBe('aborted');
    expect(done.step).toBeGreaterThanOrEqual(2);
    expect(latestCheckpoint(out)).toBe(join(out, 'checkpoints', `step-${String(done.step).padStart(6, '0')}`));
    expect(readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
