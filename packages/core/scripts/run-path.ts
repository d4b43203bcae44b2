/**
 * The package scripts' resolver of the run-directory layout (instead of `$(cat runs/latest)`):
 * prints the absolute path of an entry of the latest run (the one `<runs>/latest` names; the
 * pointer is never followed outside `<runs>`), or of a given run directory.
 *
 * Usage: node --import tsx run-path.ts [--runs DIR | --run DIR] [root|model|eval|config|events|checkpoint]
 *   --runs DIR   the runs folder whose `latest` pointer names the run (default: runs)
 *   --run DIR    use this run directory instead of the latest one
 * `checkpoint` is the latest checkpoint folder. Errors are one line on stderr, exit code 1.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { latestCheckpoint, readLatestRun, runPaths } from '../src/node/run-dir.ts';

const ENTRIES = ['root', 'model', 'eval', 'config', 'events', 'checkpoint'] as const;
try {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string' }, run: { type: 'string' } }, allowPositionals: true });
  const what = positionals[0] ?? 'root';
  if (!(ENTRIES as readonly string[]).includes(what) || positionals.length > 1) throw new Error(`expected one of ${ENTRIES.join(', ')}, got ${positionals.join(' ')}`);
  const run = values.run ?? readLatestRun(values.runs ?? 'runs');
  const p = runPaths(run);
  let out: string;
  if (what === 'checkpoint') {
    const ck = latestCheckpoint(run);
    if (ck === null) throw new Error(`${p.pointer}: not found (the run has no checkpoint yet)`);
    out = ck;
  } else out = p[what as Exclude<(typeof ENTRIES)[number], 'checkpoint'>];
  process.stdout.write(`${out}\n`);
} catch (e) {
  process.stderr.write(`run-path: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
