/**
 * `interpret-fr-study` (root: `pnpm study:lfw`): the LFW-a study as one resumable command. Every stage
 * checks its own output and is skipped when done; an interrupted training resumes from its checkpoint.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { runStudy, STAGES } from './pipeline.ts';

export const HELP = `interpret-fr-study [--lfw DIR] [--cache DIR] [--runs DIR] [--results DIR] [--only STAGE,…] [--dry-run]
The real-face study (issue 13): prepare LFW-a crops → train base, SAD, SAD+FAD (fine-tuned from base) and the
teacher-distilled SAD+FAD → export ONNX → evaluate (DevTest with the DevTrain threshold, occlusion, peaks) →
LBP and teacher baselines → results page. Finished stages are skipped, unfinished trainings resume.
  --lfw DIR       LFW folder with lfw-a/, pairsDevTest.txt, pairsDevTrain.txt (default ../shared/data/lfw)
  --cache DIR     prepared crops, teacher descriptors, logs (default .cache/study-lfw; never committed)
  --runs DIR      run directories (default runs/study-lfw)
  --results DIR   results page (default docs/results/lfw)
  --only LIST     run only these stages (${STAGES.join(', ')})
  --train-minutes M    wall-clock budget per training stage: SIGINT after M minutes (checkpoint saved; the next
                       run resumes); later stages use the checkpoint reached
  --teacher-minutes M  wall-clock budget of the teacher stage (descriptors are cached; the next run continues)
  --dry-run       print the plan and each stage's state, run nothing
`;

function minutes(v: string | boolean | undefined, name: string): number | null {
  if (v === undefined) return null;
  const m = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(m) || m <= 0) throw new Error(`--${name} '${String(v)}': expected a positive number of minutes`);
  return m;
}

/** CLI entry; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({ args: argv[0] === '--' ? argv.slice(1) : argv, options: { lfw: { type: 'string' }, cache: { type: 'string' }, runs: { type: 'string' }, results: { type: 'string' }, only: { type: 'string' }, 'train-minutes': { type: 'string' }, 'teacher-minutes': { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    process.stderr.write(`interpret-fr-study: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (v.help) { process.stdout.write(HELP); return 0; }
  const repo = process.env.INIT_CWD ?? process.cwd();
  const only = typeof v.only === 'string' ? v.only.split(',').map((s) => s.trim()) : null;
  const unknown = only?.filter((s) => !STAGES.includes(s)) ?? [];
  if (unknown.length) { process.stderr.write(`interpret-fr-study: unknown stage ${unknown.join(', ')}; expected ${STAGES.join(', ')}\n`); return 2; }
  try {
    await runStudy({
      repo,
      lfw: resolve(repo, (v.lfw as string | undefined) ?? '../shared/data/lfw'),
      cache: resolve(repo, (v.cache as string | undefined) ?? '.cache/study-lfw'),
      runs: resolve(repo, (v.runs as string | undefined) ?? 'runs/study-lfw'),
      results: resolve(repo, (v.results as string | undefined) ?? 'docs/results/lfw'),
      only,
      trainMinutes: minutes(v['train-minutes'], 'train-minutes'),
      teacherMinutes: minutes(v['teacher-minutes'], 'teacher-minutes'),
      dryRun: Boolean(v['dry-run']),
      log: (s) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`),
    });
    return 0;
  } catch (e) {
    process.stderr.write(`interpret-fr-study: ${(e as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
