/**
 * `interpret-fr-study` (root: `pnpm study:lfw`): the LFW-a study as one resumable command. Every stage
 * checks its own output and is skipped when done; an interrupted training resumes from its checkpoint.
 * Built on core's CLI kit (one-line errors, did-you-mean, `--debug`, progress as JSON lines off a TTY).
 *
 * @module
 */
import { resolve } from 'node:path';
import { defineCli, processIo, runCli, usageError, type CliIo } from '@interpret-fr/core/node';
import { runStudy, STAGES } from './pipeline.ts';

/** The command's option table. */
export const STUDY_CLI = defineCli({
  name: 'interpret-fr-study',
  summary: 'the real-face study on LFW-a (issue 13): prepare, train, export, evaluate, baselines, results page',
  options: {
    lfw: { type: 'string', arg: 'DIR', description: 'LFW folder with lfw-a/, pairsDevTest.txt, pairsDevTrain.txt (default ../shared/data/lfw)' },
    cache: { type: 'string', arg: 'DIR', description: 'prepared crops, teacher descriptors, logs (default .cache/study-lfw; never committed)' },
    runs: { type: 'string', arg: 'DIR', description: 'run directories (default runs/study-lfw)' },
    results: { type: 'string', arg: 'DIR', description: 'results page (default docs/results/lfw)' },
    only: { type: 'string', arg: 'LIST', description: `run only these stages (comma-separated):\n${STAGES.join(', ')}` },
    'train-minutes': {
      type: 'string',
      arg: 'M',
      description: 'wall-clock budget per training stage: SIGINT after M minutes (a checkpoint is saved;\nthe next run resumes); the later stages use the checkpoint reached',
    },
    'teacher-minutes': { type: 'string', arg: 'M', description: 'wall-clock budget of the teacher stage (descriptors are cached; the next run continues)' },
    'dry-run': { type: 'boolean', description: "print each stage's state, run nothing" },
  },
  epilog: `Finished stages are skipped, unfinished trainings resume. Paths are relative to the directory pnpm was started in.
INTERPRET_FR_WASM_THREADS=1 gives each training one wasm thread (faster when other jobs load the machine).`,
});

function minutes(v: string | undefined, flag: string): number | null {
  if (v === undefined) return null;
  const m = Number(v);
  if (!Number.isFinite(m) || m <= 0) throw usageError(`--${flag} '${v}': expected a positive number of minutes`, flag);
  return m;
}

/** CLI entry; returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCli(STUDY_CLI, argv[0] === '--' ? argv.slice(1) : argv, io, async ({ values: v }) => {
    const repo = process.env.INIT_CWD ?? process.cwd();
    const only = v.only ? v.only.split(',').map((s) => s.trim()) : null;
    const unknown = only?.filter((s) => !STAGES.includes(s)) ?? [];
    if (unknown.length) throw usageError(`--only: unknown stage ${unknown.join(', ')}; expected ${STAGES.join(', ')}`, 'only');
    await runStudy({
      repo,
      lfw: resolve(repo, v.lfw ?? '../shared/data/lfw'),
      cache: resolve(repo, v.cache ?? '.cache/study-lfw'),
      runs: resolve(repo, v.runs ?? 'runs/study-lfw'),
      results: resolve(repo, v.results ?? 'docs/results/lfw'),
      only,
      trainMinutes: minutes(v['train-minutes'], 'train-minutes'),
      teacherMinutes: minutes(v['teacher-minutes'], 'teacher-minutes'),
      dryRun: v['dry-run'] === true,
      log: (s) => io.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`),
    });
    return 0;
  });
}
