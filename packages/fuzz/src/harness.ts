/**
 * The fuzz harness: runs a parser/loader over generated inputs and classifies every case as
 *
 * - `valid`: returned a result that passes the target's invariants;
 * - `clear-error`: threw the project's typed error (`InterpretFrError`) naming the source;
 * - `crash`: threw anything else (TypeError, RangeError, a plain Error) or a typed error that does
 *   not name the source;
 * - `hang`: took longer than `hangMs` (async cases are also cut off at 5 × hangMs);
 * - `silent-wrong`: returned a result that breaks an invariant (a wrong number, a modified model
 *   accepted…).
 *
 * Inputs come from `fc.sample` with a fixed seed (reproducible), no shrinking: the point is the
 * table, and a failing case is printed with its index to replay.
 *
 * @module
 */
import fc from 'fast-check';
import { isInterpretFrError } from '@interpret-fr/core';

/** What happened to one input. */
export type Outcome = 'valid' | 'clear-error' | 'crash' | 'hang' | 'silent-wrong';
export const OUTCOMES: readonly Outcome[] = ['clear-error', 'valid', 'crash', 'hang', 'silent-wrong'];

/** One parser or loader under test. */
export interface FuzzTarget<T> {
  /** Input class (a table row). */
  name: string;
  /** The file name the parser is given; a clear error must name it. */
  source: string;
  arbitrary: fc.Arbitrary<T>;
  run(input: T): unknown;
  /** Invariants of a returned result: null when fine, else what is wrong. */
  check?(input: T, result: unknown): string | null;
  /** Whether an error names its source (default: the message contains `source`). */
  namesSource?(message: string): boolean;
}

/** Counts of one target. */
export interface TargetReport {
  name: string;
  cases: number;
  counts: Record<Outcome, number>;
  /** Up to 5 non-passing cases (crash, hang, silent wrong) with their index and what happened. */
  failures: { index: number; outcome: Outcome; detail: string }[];
  ms: number;
}

const TIMEOUT = Symbol('timeout');

/** Runs `runs` cases of a target (seeded) and classifies them. */
export async function runTarget<T>(t: FuzzTarget<T>, opts: { runs: number; seed: number; hangMs?: number }): Promise<TargetReport> {
  const hangMs = opts.hangMs ?? 2000;
  const samples = fc.sample(t.arbitrary, { numRuns: opts.runs, seed: opts.seed });
  const counts: Record<Outcome, number> = { valid: 0, 'clear-error': 0, crash: 0, hang: 0, 'silent-wrong': 0 };
  const failures: TargetReport['failures'] = [];
  const names = t.namesSource ?? ((m: string) => m.includes(t.source));
  const t0 = performance.now();
  for (const [index, input] of samples.entries()) {
    const start = performance.now();
    let outcome: Outcome;
    let detail = '';
    try {
      let r = t.run(input);
      if (r instanceof Promise) {
        let timer: NodeJS.Timeout | undefined;
        r = await Promise.race([
          r,
          new Promise((resolve) => {
            timer = setTimeout(() => resolve(TIMEOUT), hangMs * 5);
          }),
        ]);
        clearTimeout(timer);
      }
      if (r === TIMEOUT || performance.now() - start > hangMs) {
        outcome = 'hang';
        detail = `${Math.round(performance.now() - start)} ms`;
      } else {
        const bad = t.check?.(input, r) ?? null;
        outcome = bad === null ? 'valid' : 'silent-wrong';
        detail = bad ?? '';
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (performance.now() - start > hangMs) {
        outcome = 'hang';
        detail = `${Math.round(performance.now() - start)} ms, then ${msg}`;
      } else if (isInterpretFrError(e) && names(msg) && !msg.includes('\n')) outcome = 'clear-error';
      else {
        outcome = 'crash';
        detail = `${e instanceof Error ? e.name : typeof e}: ${msg.slice(0, 200)}`;
      }
    }
    counts[outcome]++;
    if (outcome !== 'valid' && outcome !== 'clear-error' && failures.length < 5) failures.push({ index, outcome, detail });
  }
  return { name: t.name, cases: samples.length, counts, failures, ms: performance.now() - t0 };
}

/** The markdown table: input class × cases × outcomes, plus a total row. */
export function fuzzTable(reports: readonly TargetReport[]): string {
  const head = `| input class | cases | ${OUTCOMES.join(' | ')} |`;
  const sep = `|---|---:|${OUTCOMES.map(() => '---:').join('|')}|`;
  const rows = reports.map((r) => `| ${r.name} | ${r.cases} | ${OUTCOMES.map((o) => r.counts[o]).join(' | ')} |`);
  const total = OUTCOMES.map((o) => reports.reduce((s, r) => s + r.counts[o], 0));
  rows.push(`| **total** | **${reports.reduce((s, r) => s + r.cases, 0)}** | ${total.map((v) => `**${v}**`).join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

// ---- input mutators ----

/** A byte-level mutation of a seed: flips, overwrites with boundary bytes, truncation, insertion, deletion, random bytes. */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.nat(255), fc.integer({ min: 1, max: 64 }));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
        let b = Uint8Array.from(seed);
        for (const [kind, p, v, n] of edits) {
          const at = b.length ? p % b.length : 0;
          if (kind === 0 && b.length) b[at]! ^= 1 << (v % 8);
          else if (kind === 1 && b.length) b[at] = [0, 0xff, 0x7f, 0x80, 0x2e, 0x2f, 0x0a, 0x2c][v % 8]!;
          else if (kind === 2) b = b.subarray(0, at);
          else if (kind === 3) b = Uint8Array.from([...b.subarray(0, at), ...Array.from({ length: n }, (_, k) => (v + 31 * k) & 255), ...b.subarray(at)]);
          else if (kind === 4) b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + n))]);
          else if (b.length) b[at] = v;
        }
        return b;
      }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  );
}

/** Tokens that break text parsers: path escapes, non-numbers, overflow, separators, control characters. */
const TOKENS = [
  '..',
  '../',
  '/',
  '/etc/passwd',
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '0',
  '-0',
  '1.5',
  '0x10',
  '99999999999',
  '2147483648',
  '',
  ' ',
  ',',
  ',,',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '#',
  '"',
  'é',
  '\uFEFF',
  '1e-320',
  'null',
  '{}',
  '[]',
  'true',
];

/** A text-level mutation of a seed: tokens replacing/inserted at positions, deleted or duplicated lines, truncation. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(), fc.constantFrom(...TOKENS), fc.integer({ min: 1, max: 12 }));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 5 })).map(([seed, edits]) => {
        let s = seed;
        for (const [kind, p, tok, n] of edits) {
          const at = s.length ? p % s.length : 0;
          if (kind === 0) s = s.slice(0, at) + tok + s.slice(at + n);
          else if (kind === 1) s = s.slice(0, at) + tok + s.slice(at);
          else if (kind === 2) s = s.slice(0, at);
          else {
            const ls = s.split('\n');
            const i = p % Math.max(1, ls.length);
            if (kind === 3) ls.splice(i, 1);
            else ls.splice(i, 0, ls[i] ?? tok);
            s = ls.join('\n');
          }
        }
        return s;
      }),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
}
