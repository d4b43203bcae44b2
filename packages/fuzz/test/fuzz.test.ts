/**
 * The fuzz suite in the normal test run: a fixed seed and 160 cases per input class (16 classes,
 * 2,560 cases); `pnpm fuzz --runs N` runs more. Every case must return a valid result or throw the
 * project's typed error naming its source: no crash, no hang, no silent wrong result.
 */
import { describe, expect, it } from 'vitest';
import { fuzzTable, runTarget, type TargetReport } from '../src/harness.ts';
import { allTargets } from '../src/targets.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 160);

describe('fuzz: every parser and loader', async () => {
  const targets = await allTargets();
  const reports: TargetReport[] = [];
  for (const t of targets) {
    it(`${t.name}: ${RUNS} cases, no crash / hang / silent wrong`, async () => {
      const r = await runTarget(t, { runs: RUNS, seed: 20191 });
      reports.push(r);
      expect(r.failures, JSON.stringify(r.failures, null, 1)).toEqual([]);
      expect(r.counts.crash + r.counts.hang + r.counts['silent-wrong']).toBe(0);
      expect(r.counts['clear-error'] + r.counts.valid).toBe(RUNS);
    });
  }
  it('prints the table', () => {
    process.stderr.write(`\n${fuzzTable(reports)}\n`);
    expect(reports.length).toBe(targets.length);
  });
});
