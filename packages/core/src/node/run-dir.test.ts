import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireRunLock,
  checkpointName,
  latestCheckpoint,
  listCheckpoints,
  locateRun,
  readLatestRun,
  removeOrphanTemps,
  runPaths,
  writeCheckpointPointer,
  writeLatestRun,
} from './run-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-rundir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(name: string, steps: number[]): string {
  const dir = join(root, name);
  for (const s of steps) {
    mkdirSync(join(dir, 'checkpoints', checkpointName(s)), { recursive: true });
    writeFileSync(join(dir, 'checkpoints', checkpointName(s), 'manifest.json'), '{}');
  }
  return dir;
}

describe('run-directory layout', () => {
  it('lists checkpoints by step number: step 1,000,000 comes after 999,800', () => {
    const dir = run('numeric', [999_800, 1_000_000, 999_600]);
    expect(checkpointName(1_000_000)).toBe('step-1000000');
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([999_600, 999_800, 1_000_000]);
    // Without a pointer, locateRun takes the highest step, not the last name in text order.
    expect(locateRun(dir).checkpointDir).toBe(join(dir, 'checkpoints', 'step-1000000'));
  });

  it('never follows a pointer outside its directory', () => {
    const dir = run('pointer', [5]);
    writeCheckpointPointer(dir, checkpointName(5));
    expect(latestCheckpoint(dir)).toBe(join(dir, 'checkpoints', 'step-000005'));
    writeFileSync(runPaths(dir).pointer, '../../../etc\n');
    expect(() => latestCheckpoint(dir)).toThrow(/checkpoint: points to "\.\.\/\.\.\/\.\.\/etc", outside .*checkpoints; refusing to follow it/);
    const runs = join(root, 'runs');
    mkdirSync(join(runs, 'a'), { recursive: true });
    writeLatestRun(runs, join(runs, 'a'));
    expect(readFileSync(join(runs, 'latest'), 'utf8')).toBe('a\n');
    expect(readLatestRun(runs)).toBe(join(runs, 'a'));
    // Absolute paths (older trainers) are accepted when inside.
    writeFileSync(join(runs, 'latest'), `${join(runs, 'a')}\n`);
    expect(readLatestRun(runs)).toBe(join(runs, 'a'));
    writeFileSync(join(runs, 'latest'), '/etc\n');
    expect(() => readLatestRun(runs)).toThrow(/latest: names "\/etc", which is not a run inside .*; refusing to follow it/);
    writeFileSync(join(runs, 'latest'), '../pointer\n');
    expect(() => readLatestRun(runs)).toThrow(/refusing to follow it/);
    expect(() => writeLatestRun(runs, root)).toThrow(/not inside/);
  });

  it('removes orphan temp folders and files', () => {
    const dir = run('orphans', [1]);
    mkdirSync(join(dir, 'checkpoints', '.tmp-step-000002-123'), { recursive: true });
    writeFileSync(join(dir, '.config.json.tmp-99-1'), 'x');
    writeFileSync(join(dir, 'checkpoints', 'step-000001', '.weights.bin.tmp-99-2'), 'x');
    expect(removeOrphanTemps(dir).length).toBe(3);
    expect(existsSync(join(dir, 'checkpoints', 'step-000001', 'manifest.json'))).toBe(true);
  });
});

describe('run lock', () => {
  it('a second writer is refused naming the pid; release frees it', () => {
    const dir = run('lock', []);
    mkdirSync(dir, { recursive: true });
    const a = acquireRunLock(dir);
    expect(() => acquireRunLock(dir)).toThrow(new RegExp(`already in use by pid ${process.pid} \\(since .*; lock .*run\\.lock\\)`));
    a.release();
    const b = acquireRunLock(dir);
    b.release();
    expect(existsSync(runPaths(dir).lock)).toBe(false);
  });

  it('a lock of another live process is refused; a dead pid is taken over', async () => {
    const dir = join(root, 'lock2');
    mkdirSync(dir, { recursive: true });
    const child = spawn('sleep', ['30']);
    try {
      writeFileSync(runPaths(dir).lock, JSON.stringify({ pid: child.pid, host: hostname(), started: 'then', token: 'x' }));
      expect(() => acquireRunLock(dir)).toThrow(new RegExp(`already in use by pid ${child.pid} `));
    } finally {
      child.kill('SIGKILL');
    }
    const dead = spawnSync('true').pid!;
    writeFileSync(runPaths(dir).lock, JSON.stringify({ pid: dead, host: hostname(), started: 'then', token: 'y' }));
    const lock = acquireRunLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    // A garbage lock file (not ours, unreadable) is taken over too.
    writeFileSync(runPaths(dir).lock, 'garbage');
    acquireRunLock(dir).release();
  });
});
