#!/usr/bin/env node
// Runs the whole vitest suite with the JSON reporter and prints the plain closing line
// `N passed, N failed, N skipped` that CI reads. Exit code: vitest's, or 1 if anything failed.
// `--consumer` (what .ci/run passes) also runs scripts/consumer-test.mjs after the suite and counts each
// of its checks (install, esm, cjs, tsc, web, bins) as one test in that line.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const report = resolve('.vitest-report.json');
rmSync(report, { force: true });
const consumer = process.argv.includes('--consumer');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2).filter((a) => a !== '--consumer')];
const r = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failed = (j.numFailedTests ?? 0) + (j.numFailedTestSuites ?? 0) - 0;
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  // A suite that fails to load has no failed tests inside it: count it as one failure.
  failed = (j.numFailedTests ?? 0) + (j.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).every((a) => a.status !== 'failed')).length;
} catch (e) {
  console.error(`test-ci: could not read ${report}: ${e.message}`);
  failed = Math.max(failed, 1);
}
let consumerOk = true;
if (consumer) {
  const consumerReport = resolve('.consumer-report.json');
  rmSync(consumerReport, { force: true });
  const c = spawnSync('node', ['scripts/consumer-test.mjs'], { stdio: 'inherit' });
  consumerOk = c.status === 0;
  try {
    const checks = JSON.parse(readFileSync(consumerReport, 'utf8')).checks;
    passed += checks.filter((x) => x.ok).length;
    failed += checks.filter((x) => !x.ok).length;
  } catch (e) {
    console.error(`test-ci: could not read ${consumerReport}: ${e.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status === 0 && consumerOk && failed === 0 ? 0 : 1);
