import { describe, expect, it } from 'vitest';
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
