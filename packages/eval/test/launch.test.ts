import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { THREADED_MALLOC_TUNABLES, THREADED_V8_FLAGS, threadedRelaunch, withTunables } from '../src/cli/launch.ts';

describe('bin relaunch for the scoring commands (src/cli/launch.ts)', () => {
  it('ijba and ijbc run again with the V8 flags and the malloc tunables; the rest of the environment is kept', () => {
    for (const cmd of ['ijba', 'ijbc']) {
      const r = threadedRelaunch([cmd, '--protocol', 'p'], [], { PATH: '/bin', HOME: '/h' });
      expect(r).not.toBeNull();
      expect(r!.flags).toEqual(['--single-threaded-gc', '--initial-old-space-size=64', '--no-memory-reducer']);
      expect(r!.env).toEqual({
        PATH: '/bin',
        HOME: '/h',
        GLIBC_TUNABLES: 'glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824',
      });
    }
    // The child reads no extra CA certificates (no network; node parses that file at every start).
    const ca = threadedRelaunch(['ijba'], [], { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
    expect(ca!.env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
    expect(ca!.env.PATH).toBe('/bin');
    expect(THREADED_V8_FLAGS).toContain('--single-threaded-gc');
    expect(THREADED_MALLOC_TUNABLES).toHaveLength(3);
  });

  it('no relaunch: other commands, --help, flags already given, INTERPRET_FR_EVAL_CONCURRENT_GC=1', () => {
    expect(threadedRelaunch(['pairs', '--pairs', 'x'], [], {})).toBeNull();
    expect(threadedRelaunch([], [], {})).toBeNull();
    expect(threadedRelaunch(['ijba', '--help'], [], {})).toBeNull();
    expect(threadedRelaunch(['ijbc', '-h'], [], {})).toBeNull();
    expect(threadedRelaunch(['ijba'], ['--single-threaded-gc', '--no-memory-reducer'], {})).toBeNull();
    expect(threadedRelaunch(['ijba'], [], { INTERPRET_FR_EVAL_CONCURRENT_GC: '1' })).toBeNull();
    expect(threadedRelaunch(['ijba'], [], { INTERPRET_FR_EVAL_CONCURRENT_GC: '0' })).not.toBeNull();
  });

  it("the user's own GLIBC_TUNABLES win; ours fill in only the names they do not set", () => {
    expect(withTunables(undefined, ['a.b=1', 'c.d=2'])).toBe('a.b=1:c.d=2');
    expect(withTunables('', ['a.b=1'])).toBe('a.b=1');
    expect(withTunables('glibc.malloc.arena_max=4', THREADED_MALLOC_TUNABLES)).toBe(
      'glibc.malloc.arena_max=4:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824',
    );
    expect(withTunables('x.y=0:glibc.malloc.trim_threshold=5', THREADED_MALLOC_TUNABLES)).toBe(
      'x.y=0:glibc.malloc.trim_threshold=5:glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432',
    );
    // Empty entries (a stray ':') are dropped, not passed on.
    expect(withTunables('::x.y=0:', ['a.b=1'])).toBe('x.y=0:a.b=1');
    const r = threadedRelaunch(['ijba'], [], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' });
    expect(r!.env.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=8:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824');
  });
});

// The package's command (bin/interpret-fr-eval, POSIX sh) starts node itself with what threadedRelaunch would give the
// relaunched child: run it with a stand-in `node` first on PATH that prints what it was started with.
const launcher = resolve(import.meta.dirname, '../bin/interpret-fr-eval');
const stub = resolve(import.meta.dirname, '../bin/interpret-fr-eval.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'ife-launcher-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
mkdirSync(join(tmp, 'path'));
writeFileSync(
  join(tmp, 'path', 'node'),
  [
    '#!/bin/sh',
    'for a in "$@"; do printf \'arg\\t%s\\n\' "$a"; done',
    "printf 'tunables\\t%s\\n' \"$(printenv GLIBC_TUNABLES || echo '<unset>')\"",
    "printf 'ca\\t%s\\n' \"$(printenv NODE_EXTRA_CA_CERTS || echo '<unset>')\"",
    "printf 'keep\\t%s\\n' \"$(printenv KEEP_ME || echo '<unset>')\"",
    '',
  ].join('\n'),
);
chmodSync(join(tmp, 'path', 'node'), 0o755);

/** What the launcher (run as `file`) starts node with: its arguments and the environment entries that matter. */
function launched(args: string[], env: Record<string, string>, file = launcher) {
  const r = spawnSync(file, args, { env: { PATH: `${join(tmp, 'path')}:/usr/bin:/bin`, KEEP_ME: 'x', ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t') as [string, string]);
  const value = (k: string) => lines.find(([key]) => key === k)![1];
  return { argv: lines.filter(([k]) => k === 'arg').map(([, v]) => v), tunables: value('tunables'), ca: value('ca'), keep: value('keep') };
}

describe('bin/interpret-fr-eval (the package command, sh): node started once with the relaunch settings', () => {
  it('ijba / ijbc: the V8 flags and the tunables (merged as withTunables does), no NODE_EXTRA_CA_CERTS, arguments as given', () => {
    for (const [cmd, user] of [
      ['ijba', undefined],
      ['ijbc', 'glibc.malloc.arena_max=8'],
      ['ijba', 'x.y=0::glibc.malloc.trim_threshold=5:'],
      ['ijbc', 'glibc.malloc.mmap_threshold'],
    ] as const) {
      const args = [cmd, '--out', 'a dir/with "quotes"', '--threads', '2'];
      const env: Record<string, string> = { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
      if (user !== undefined) env.GLIBC_TUNABLES = user;
      const got = launched(args, env);
      const want = threadedRelaunch(args, [], env)!;
      expect(got.argv).toEqual([...want.flags, stub, ...args]);
      expect(got.tunables).toBe(want.env.GLIBC_TUNABLES);
      expect(got.ca).toBe('<unset>');
      expect(want.env.NODE_EXTRA_CA_CERTS).toBeUndefined();
      expect(got.keep).toBe('x');
    }
  });

  it('other commands, --help / -h, INTERPRET_FR_EVAL_CONCURRENT_GC=1: the stub as it is, the environment untouched', () => {
    for (const [args, env] of [
      [['pairs', '--pairs', 'p.txt'], {}],
      [[], {}],
      [['ijba', '--help'], {}],
      [['ijbc', '--out', 'o', '-h'], {}],
      [['ijba', '--out', 'o'], { INTERPRET_FR_EVAL_CONCURRENT_GC: '1' }],
    ] as [string[], Record<string, string>][]) {
      const got = launched(args, { NODE_EXTRA_CA_CERTS: '/etc/ca.pem', ...env });
      expect(threadedRelaunch(args, [], env)).toBeNull();
      expect(got).toEqual({ argv: [stub, ...args], tunables: '<unset>', ca: '/etc/ca.pem', keep: 'x' });
    }
  });

  it('through symlinks (npm links bins into node_modules/.bin, relative or absolute), it finds the stub beside itself', () => {
    mkdirSync(join(tmp, 'a', 'b'), { recursive: true });
    symlinkSync(launcher, join(tmp, 'a', 'abs'));
    symlinkSync('../abs', join(tmp, 'a', 'b', 'rel'));
    for (const file of [join(tmp, 'a', 'abs'), join(tmp, 'a', 'b', 'rel')]) expect(launched(['pairs'], {}, file).argv).toEqual([stub, 'pairs']);
  });
});
