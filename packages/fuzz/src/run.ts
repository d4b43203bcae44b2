/**
 * `pnpm fuzz [--runs N] [--seed S] [--json out.json]`: runs every fuzz target N times (default 160),
 * prints the table input class × cases × outcomes and exits 1 on any crash, hang or silent wrong.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fuzzTable, runTarget, type TargetReport } from './harness.ts';
import { allTargets } from './targets.ts';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { runs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' } } });
const runs = Number(values.runs ?? 160);
const seed = Number(values.seed ?? 20191);
if (!Number.isSafeInteger(runs) || runs < 1) {
  process.stderr.write(`fuzz: --runs '${values.runs}', expected a positive integer\n`);
  process.exit(2);
}
if (!Number.isSafeInteger(seed)) {
  process.stderr.write(`fuzz: --seed '${values.seed}', expected an integer\n`);
  process.exit(2);
}
const reports: TargetReport[] = [];
for (const t of await allTargets()) {
  const r = await runTarget(t, { runs, seed });
  reports.push(r);
  process.stderr.write(`${r.name}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s\n`);
  for (const f of r.failures) process.stderr.write(`  ${f.outcome} at case ${f.index}: ${f.detail}\n`);
}
process.stdout.write(`${fuzzTable(reports)}\n\nseed ${seed}, ${runs} cases per input class\n`);
if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 1));
const bad = reports.reduce((s, r) => s + r.counts.crash + r.counts.hang + r.counts['silent-wrong'], 0);
process.exit(bad ? 1 : 0);
