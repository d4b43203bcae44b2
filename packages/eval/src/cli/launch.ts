/**
 * How `bin/interpret-fr-eval.mjs` starts the commands that score on worker threads (`ijba`, `ijbc`): node runs
 * again with flags that only take effect at process start, and with glibc's malloc tuned for what the scoring does.
 *
 * - V8 (`--single-threaded-gc --initial-old-space-size=64 --no-memory-reducer`): garbage collection on each thread
 *   itself, not on concurrent helper threads that compete with the scoring threads for the cores; a 64 MB old space
 *   and no idle-time memory reducer, so a short batch process does not run a full mark-compact every split or two.
 * - glibc malloc (`GLIBC_TUNABLES`: one arena, a fixed 32 MiB mmap threshold, a 1 GiB trim threshold): every
 *   onnxruntime-node call returns its output in a new, zero-filled ArrayBuffer (a copy, even when the output was
 *   preallocated), i.e. an 8 MiB allocation per GEMM block, freed only when V8 next collects. With glibc's defaults,
 *   those blocks are served from fresh pages (per-thread arenas, heaps given back to the kernel), and every page of
 *   every block is faulted in and zeroed by the kernel again (IJB-A, 10 real-size splits: ≈ 200k page faults,
 *   ≈ 0.6 CPU-s of system time). With the tunables, freed blocks are reused. Other C libraries ignore the variable;
 *   values the user already set in `GLIBC_TUNABLES` win.
 *
 * - No `NODE_EXTRA_CA_CERTS`: node 20 reads and parses that certificate file at every start (≈ 75 ms of a start here,
 *   where it is set), and these commands open no network connection.
 *
 * The package's command, `bin/interpret-fr-eval` (POSIX sh), starts node with all of this at once for these commands:
 * one node start. `node bin/interpret-fr-eval.mjs …` (any platform) gets it through a relaunch ({@link threadedRelaunch}):
 * a second node start. `INTERPRET_FR_EVAL_CONCURRENT_GC=1` skips both (V8's default collector, glibc's defaults, the
 * environment as it is, in process).
 *
 * @module
 */

/** The V8 flags the scoring commands run with. */
export const THREADED_V8_FLAGS: readonly string[] = ['--single-threaded-gc', '--initial-old-space-size=64', '--no-memory-reducer'];

/** The glibc malloc tunables the scoring commands run with (`name=value`). */
export const THREADED_MALLOC_TUNABLES: readonly string[] = ['glibc.malloc.arena_max=1', 'glibc.malloc.mmap_threshold=33554432', 'glibc.malloc.trim_threshold=1073741824'];

/** Commands that score on worker threads. */
const THREADED_COMMANDS = new Set(['ijba', 'ijbc']);

/**
 * `current` (a `GLIBC_TUNABLES` value, `name=value` entries separated by `:`) with each of `add` appended unless
 * `current` already sets that name.
 *
 * @example
 * withTunables('glibc.malloc.arena_max=4', ['glibc.malloc.arena_max=1', 'glibc.malloc.trim_threshold=9']);
 * // 'glibc.malloc.arena_max=4:glibc.malloc.trim_threshold=9'
 */
export function withTunables(current: string | undefined, add: readonly string[]): string {
  const have = (current ?? '').split(':').filter((t) => t !== '');
  const names = new Set(have.map((t) => t.split('=')[0]));
  return [...have, ...add.filter((t) => !names.has(t.split('=')[0]))].join(':');
}

/** What to relaunch node with: V8 flags to put before the script, and the child's environment. */
export interface Relaunch {
  flags: string[];
  env: Record<string, string | undefined>;
}

/**
 * The relaunch for `interpret-fr-eval <args>`, or null to run in this process: for `ijba` / `ijbc` (not their
 * `--help`) when this process lacks the V8 flags and `INTERPRET_FR_EVAL_CONCURRENT_GC` is not `1`. The child's
 * environment is this one with the malloc tunables and without `NODE_EXTRA_CA_CERTS`.
 */
export function threadedRelaunch(args: readonly string[], execArgv: readonly string[], env: Record<string, string | undefined>): Relaunch | null {
  if (!THREADED_COMMANDS.has(args[0] ?? '') || args.includes('--help') || args.includes('-h')) return null;
  if (execArgv.includes('--single-threaded-gc') || env.INTERPRET_FR_EVAL_CONCURRENT_GC === '1') return null;
  const { NODE_EXTRA_CA_CERTS: _certs, ...rest } = env;
  return { flags: [...THREADED_V8_FLAGS], env: { ...rest, GLIBC_TUNABLES: withTunables(env.GLIBC_TUNABLES, THREADED_MALLOC_TUNABLES) } };
}
