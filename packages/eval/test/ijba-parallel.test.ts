import { describe, expect, it } from 'vitest';
import { evaluateIjba, FeatureValueError } from '../src/protocols/ijba.ts';
import { IjbaFormatError } from '../src/protocols/ijba-csv.ts';
import { evaluateIjbaParallel, ijbaPool, partWork, pickJob } from '../src/protocols/ijba-parallel.ts';
import type { IjbaSplitData } from '../src/protocols/ijba.ts';
import { errorMessage, reviveError } from '../src/protocols/ijba-parallel-protocol.ts';
import { tiedProtocol } from './helpers/tied-protocol.ts';

const strip = (r: { perSplit: { refined?: unknown }[] } & Record<string, unknown>) => ({ summary: r.summary, perSplit: r.perSplit.map(({ refined: _r, ...rest }) => rest) });

describe('IJB-A splits in worker threads (evaluateIjbaParallel)', () => {
  it('gives the in-process report to the bit, on the native and the wasm kernel, with 1, 2 or 3 workers', async () => {
    const { splits, table } = tiedProtocol(5, 4);
    for (const score of ['set-min-mean-matlab', 'set-min-mean', 'media-pool'] as const) {
      const ref = strip(evaluateIjba(splits, table, { score }) as never);
      for (const [threads, gemm] of [
        [2, 'native'],
        [3, 'wasm'],
        [1, 'native'],
      ] as const) {
        const done: number[] = [];
        const got = await evaluateIjbaParallel(splits, table, { score }, { threads, gemm, onSplit: (s) => done.push(s) });
        expect(strip(got as never), `${score}, ${threads} thread(s), ${gemm}`).toEqual(ref);
        expect(got.threads).toBe(threads === 1 ? 0 : threads);
        expect(got.kernel).toMatch(gemm === 'native' ? /^ort-node-mlas/ : /^wasm-simd$/);
        expect(done.sort()).toEqual([1, 2, 3, 4]);
      }
    }
  }, 120_000);

  it('normalises shared features in place only when allowed (overwriteFeatures) or when the copy is its own; the report is the same', async () => {
    const { splits, table } = tiedProtocol(6, 2);
    const ref = strip(evaluateIjba(splits, table, { score: 'set-min-mean' }) as never);
    const f = table.features;
    const inShared = (): typeof table => {
      const data = new Float32Array(new SharedArrayBuffer(f.data.byteLength));
      data.set(f.data);
      return { ...table, features: { ...f, data } };
    };
    const norm = (x: Float32Array, r: number): number => Math.hypot(...x.subarray(r * f.dim, (r + 1) * f.dim));
    const before = Float32Array.from(f.data);
    for (const [overwrite, shared] of [
      [true, true],
      [false, true],
      [undefined, true],
      [true, false],
    ] as const) {
      const t = shared ? inShared() : table;
      const got = await evaluateIjbaParallel(splits, t, { score: 'set-min-mean' }, { threads: 2, gemm: 'native', overwriteFeatures: overwrite });
      expect(strip(got as never), `overwrite ${overwrite}, shared ${shared}`).toEqual(ref);
      const data = t.features.data;
      if (overwrite && shared) {
        // Every row now holds its normalised values: the caller's buffer was the workers' output.
        for (let r = 0; r < f.n; r++) expect(Math.abs(norm(data, r) - 1)).toBeLessThan(1e-6);
        expect(Array.from(data)).not.toEqual(Array.from(before));
      } else expect(Array.from(data), `overwrite ${overwrite}, shared ${shared}: the caller's features are untouched`).toEqual(Array.from(before));
    }
  }, 60_000);

  it("a split's error crosses the thread boundary with its class, message and fields; the first failing split (in order) wins", async () => {
    const { splits, table } = tiedProtocol(5, 3);
    // Splits 2 and 3 compare a template that is not in their metadata.
    const broken = splits.map((s, i) => (i === 0 ? s : { ...s, comparisons: { ...s.comparisons, a: Int32Array.from(s.comparisons.a, (x, k) => (k === 4 - i ? 999_999 : x)) } }));
    let inProcess: unknown;
    try {
      evaluateIjba(broken, table);
    } catch (e) {
      inProcess = e;
    }
    expect(inProcess).toBeInstanceOf(IjbaFormatError);
    for (const threads of [2, 3]) {
      const e = await evaluateIjbaParallel(broken, table, {}, { threads }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(IjbaFormatError);
      const f = e as IjbaFormatError;
      expect(f.message).toBe((inProcess as Error).message);
      expect(f.message).toMatch(/TEMPLATE_ID 999999 is not in vm/);
      expect([f.file, f.line, f.code]).toEqual([(inProcess as IjbaFormatError).file, (inProcess as IjbaFormatError).line, 'format']);
    }
  }, 60_000);

  it('within a split, a verification error wins over a search error, as in one thread; a split whose search alone fails reports that', async () => {
    const { splits, table } = tiedProtocol(5, 4);
    // A probe template with two SUBJECT_IDs (a search error) in splits 2 and 3; split 3 also compares a template that is not in its metadata (a verification error).
    const badProbe = (s: IjbaSplitData): IjbaSplitData => {
      const t = s.probe.templateId;
      const r = t.findIndex((x, i) => t.indexOf(x) < i); // a row of a template seen on an earlier row
      expect(r).toBeGreaterThan(0);
      return { ...s, probe: { ...s.probe, subjectId: Int32Array.from(s.probe.subjectId, (x, i) => (i === r ? x + 1000 : x)) } };
    };
    const badVerify = (s: IjbaSplitData): IjbaSplitData => ({ ...s, comparisons: { ...s.comparisons, a: Int32Array.from(s.comparisons.a, (x, k) => (k === 0 ? 999_999 : x)) } });
    for (const [name, broken] of [
      ['search error in split 2, both in split 3', splits.map((s, i) => (i === 1 ? badProbe(s) : i === 2 ? badVerify(badProbe(s)) : s))],
      ['both in split 2', splits.map((s, i) => (i === 1 ? badVerify(badProbe(s)) : s))],
    ] as const) {
      let inProcess: unknown;
      try {
        evaluateIjba(broken, table);
      } catch (e) {
        inProcess = e;
      }
      expect(inProcess, name).toBeInstanceOf(IjbaFormatError);
      const e = await evaluateIjbaParallel(broken, table, {}, { threads: 2 }).catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(IjbaFormatError);
      expect((e as Error).message, name).toBe((inProcess as Error).message);
    }
  }, 60_000);

  it('revives known error classes and keeps unknown ones as Error', () => {
    const e = reviveError(errorMessage(new FeatureValueError('f.npy', 3, 'bad')));
    expect(e).toBeInstanceOf(FeatureValueError);
    expect(e.message).toBe('f.npy: row 3 (0-based): bad');
    expect((e as FeatureValueError).row).toBe(3);
    class Odd extends Error {}
    const o = reviveError(errorMessage(new Odd('x')));
    expect(o).toBeInstanceOf(Error);
    expect(o.message).toBe('x');
    expect(reviveError(errorMessage('plain')).message).toBe('plain');
  });

  it('a pool started before its features (a promise) scores splits submitted meanwhile; a rejected promise rejects every submission with its error', async () => {
    const { splits, table } = tiedProtocol(5, 3);
    const ref = strip(evaluateIjba(splits, table) as never);
    for (const threads of [2, 1]) {
      let give!: (t: typeof table) => void;
      const pool = ijbaPool(new Promise<typeof table>((res) => (give = res)), {}, { threads });
      const results = splits.map((s) => pool.submit(s));
      give(table);
      try {
        const perSplit = await Promise.all(results);
        expect(
          perSplit.map(({ refined: _r, ...rest }) => rest),
          `${threads} thread(s)`,
        ).toEqual(ref.perSplit);
      } finally {
        await pool.close();
      }
      const failing = ijbaPool(Promise.reject(new RangeError('no features here')), {}, { threads });
      try {
        await expect(failing.submit(splits[0]!)).rejects.toThrow(/no features here/);
        await expect(failing.submit(splits[1]!)).rejects.toThrow(/no features here/);
      } finally {
        // The features never come: the workers end by themselves (not after close's 10 s terminate fallback).
        expect(await Promise.race([failing.close().then(() => 'closed'), new Promise((res) => setTimeout(() => res('still closing after 5 s'), 5000))])).toBe('closed');
      }
    }
  }, 60_000);

  it('after a worker fails to start, every submission (also later ones) rejects with its error, and close returns', async () => {
    const { splits } = tiedProtocol(5, 3);
    // One value short of n × dim: the second worker's share of the normalisation throws a RangeError; the first
    // normalises its share and waits for a count of shares that never comes.
    const bad = { features: { data: new Float32Array(399), n: 100, dim: 4 }, index: new Map(Array.from({ length: 100 }, (_, i) => [`x${i}`, i] as [string, number])) };
    const pool = ijbaPool(bad, {}, { threads: 2 });
    try {
      const first = pool.submit(splits[0]!).catch((e: unknown) => e);
      expect(String(await first)).toMatch(/RangeError: normalizeRowsChecked: 199 values, expected 50 × 4/);
      // Submitted after the failure: must reject too, not wait for a worker that will never be ready.
      const later = await Promise.race([pool.submit(splits[1]!).catch((e: unknown) => e), new Promise((res) => setTimeout(() => res('still pending after 5 s'), 5000))]);
      expect(String(later)).toMatch(/RangeError: normalizeRowsChecked: 199 values, expected 50 × 4/);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a pool refuses work after close, and close rejects what was pending', async () => {
    const { splits, table } = tiedProtocol(5, 2);
    const pool = ijbaPool(table, {}, { threads: 2 });
    const pending = pool.submit(splits[0]!).catch((e: unknown) => e);
    // Closed before the features were sent: the workers end by themselves (not after close's 10 s terminate fallback).
    expect(await Promise.race([pool.close().then(() => 'closed'), new Promise((res) => setTimeout(() => res('still closing after 5 s'), 5000))])).toBe('closed');
    expect(String(await pending)).toMatch(/ijbaPool: closed/);
    await expect(pool.submit(splits[1]!)).rejects.toThrow(/submit after close/);
  }, 60_000);
});

describe('scheduling: partWork (the estimate) and pickJob (which waiting half a free worker takes)', () => {
  it('counts, per comparison, the product of its templates’ sizes (verify) and probe × gallery sightings (search)', () => {
    // Templates 7 (3 rows), 8 (1 row), 9 (2 rows); comparisons 7–8, 9–7, 9–9, and 7–5 (5 has no rows).
    const split = {
      verifyMetadata: { n: 6, templateId: Int32Array.from([7, 8, 7, 9, 7, 9]) },
      comparisons: { a: Int32Array.from([7, 9, 9, 7]), b: Int32Array.from([8, 7, 9, 5]) },
      probe: { n: 4 },
      gallery: { n: 5 },
    } as unknown as IjbaSplitData;
    expect(partWork(split)).toEqual({ verify: 3 * 1 + 2 * 3 + 2 * 2 + 0, search: 4 * 5 });
  });

  it('even workers take the largest waiting verification, odd ones the largest search; either takes the largest other half when none of its kind waits', () => {
    const q = [
      { part: 'search' as const, work: 50 },
      { part: 'verify' as const, work: 10 },
      { part: 'search' as const, work: 70 },
      { part: 'verify' as const, work: 30 },
      { part: 'verify' as const, work: 20 },
    ];
    expect(pickJob(q, 0)).toBe(3);
    expect(pickJob(q, 2)).toBe(3);
    expect(pickJob(q, 1)).toBe(2);
    expect(pickJob(q, 3)).toBe(2);
    const searches = q.filter((j) => j.part === 'search');
    expect(pickJob(searches, 0)).toBe(1);
    const verifies = q.filter((j) => j.part === 'verify');
    expect(pickJob(verifies, 1)).toBe(1);
    expect(pickJob([], 0)).toBe(-1);
  });
});
