import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDir, FsError, isAtomicTempName, parseJsonLines, readJsonLines, writeFileAtomic } from './fs.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-fs-safety-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

/** Mounts a small tmpfs (root only); null where mounting is not allowed. */
function tmpfs(name: string, opts: string): string | null {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  if (r.status !== 0) return null;
  mounts.push(dir);
  return dir;
}

function failure(f: () => unknown): FsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FsError);
    return e as FsError;
  }
  throw new Error('expected an FsError');
}

describe('writeFileAtomic refuses to replace non-regular files', () => {
  it('a FIFO, a symlink to a FIFO, a directory: refused, left as they were, no temp file', () => {
    const fifo = join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const e = failure(() => writeFileAtomic(fifo, 'x'));
    expect(e.errno).toBe('ENOTREG');
    expect(e.message).toBe(`${fifo}: refusing to replace a named pipe (FIFO) with a regular file (give the path of a regular file)`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const link = join(root, 'link-to-pipe');
    symlinkSync(fifo, link);
    expect(failure(() => writeFileAtomic(link, 'x')).message).toMatch(/refusing to replace a symbolic link to a named pipe/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const dir = join(root, 'a-dir');
    mkdirSync(dir);
    expect(failure(() => writeFileAtomic(dir, 'x')).message).toMatch(/refusing to replace a directory/);
    // A character device, reached through a symlink in a temp dir (the real /dev/null is never touched).
    const devLink = join(root, 'null-link');
    symlinkSync('/dev/null', devLink);
    expect(failure(() => writeFileAtomic(devLink, 'x')).message).toMatch(/symbolic link to a character device/);
    expect(readdirSync(root).filter(isAtomicTempName)).toEqual([]);
  });

  it('a regular file and a symlink to a regular file are replaced', () => {
    const f = join(root, 'plain.txt');
    writeFileAtomic(f, 'a');
    writeFileAtomic(f, 'b');
    expect(readFileSync(f, 'utf8')).toBe('b');
  });

  it('a missing directory is named as such', () => {
    const p = join(root, 'nope', 'f.txt');
    expect(failure(() => writeFileAtomic(p, 'x')).message).toBe(`${p}: cannot write: its directory ${join(root, 'nope')} does not exist (ENOENT)`);
  });

  it('ENOSPC names the file and leaves no temp file (tmpfs of 64 KiB; root only)', (ctx) => {
    const dir = tmpfs('full', 'size=64k');
    if (!dir) return ctx.skip();
    const p = join(dir, 'big.bin');
    const e = failure(() => writeFileAtomic(p, new Uint8Array(1 << 20)));
    expect(e.errno).toBe('ENOSPC');
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write \\d+ bytes: no space left on device \\(ENOSPC\\)$`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a read-only file system says EROFS, for files and for directories (not ENOENT mkdir)', (ctx) => {
    const dir = tmpfs('ro', 'size=64k,ro');
    if (!dir) return ctx.skip();
    expect(failure(() => writeFileAtomic(join(dir, 'f.json'), '{}')).message).toMatch(/f\.json: cannot write \(create a temp file beside it\): read-only file system \(EROFS\)$/);
    const e = failure(() => ensureDir(join(dir, 'run', 'checkpoints')));
    expect(e.errno).toBe('EROFS');
    expect(e.message).toBe(`${join(dir, 'run')}: cannot create directory: read-only file system (EROFS)`);
  });
});

describe('ensureDir', () => {
  it('creates nested directories; a file in the way is named', () => {
    const d = join(root, 'x', 'y', 'z');
    expect(ensureDir(d)).toBe(d);
    expect(existsSync(d)).toBe(true);
    writeFileSync(join(root, 'file'), '');
    expect(failure(() => ensureDir(join(root, 'file', 'sub'))).message).toMatch(/file exists and is not a directory/);
  });

  it('refuses /proc at once (recursive mkdir there never returns)', () => {
    const t0 = performance.now();
    const e = failure(() => ensureDir('/proc/interpret-fr-test/run'));
    expect(e.errno).toBe('EPSEUDOFS');
    expect(e.message).toMatch(/^\/proc\/interpret-fr-test\/run: refusing to use a directory on the proc pseudo file system \(\/proc\)/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('JSON lines', () => {
  it('tolerates a torn last line, names file:line on real corruption', () => {
    expect(parseJsonLines('{"a":1}\n{"a":2}\n{"a":', 'ev.jsonl')).toEqual({ records: [{ a: 1 }, { a: 2 }], tornTail: '{"a":' });
    expect(parseJsonLines('{"a":1}\n\n', 'ev.jsonl')).toEqual({ records: [{ a: 1 }], tornTail: null });
    expect(() => parseJsonLines('{"a":1}\n{"a":\n{"a":3}\n', 'ev.jsonl')).toThrow(/^ev\.jsonl:2:5: invalid JSON/);
    const p = join(root, 'missing.jsonl');
    expect(readJsonLines(p)).toEqual({ records: [], tornTail: null });
  });
});
