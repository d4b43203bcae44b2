/**
 * `pnpm exec tsx --conditions=@interpret-fr/source scripts/bench-parse.ts [--protocol <dir>] [--reps 9]`: reading and
 * parsing an IJB-A protocol in the CSV layout (all 10 splits: 30 metadata CSVs + 10 comparison CSVs), the path before
 * issue 14's byte parsers (`readFile(path, 'utf8')` + parseIjbaMetadata / parseIjbaComparisons) against today's
 * `readIjbaProtocol` (file bytes + parseIjbaMetadataBytes / parseIjbaComparisonsBytes), and the latter with columns
 * `scoring` (what `ijba --features` reads: the columns scoring does not use skipped), alternating. Two settings:
 * cold — each read in a fresh Node process with the CLI's V8 flags (--single-threaded-gc --initial-old-space-size=64
 * --no-memory-reducer), as the CLI's `ijba` does it once per run (the time inside the child, from before the read to
 * after it, not its start-up) — and warm — repeated in this process (optimized code). Prints the median and minimum
 * wall and CPU (user + system of the process: GC threads included) milliseconds of each, and checks once that both
 * paths give identical columns. Without --protocol, writes a real-size synthetic protocol (scripts/real-size-ijba.ts)
 * to a temporary folder first (not timed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readIjbaProtocol, writeFileMap } from '../src/io/files.ts';
import { parseIjbaComparisons, parseIjbaMetadata, type IjbaComparisons, type IjbaMetadata } from '../src/protocols/ijba-csv.ts';
import type { IjbaSplitData } from '../src/protocols/ijba.ts';
import { realSizeIjba } from './real-size-ijba.ts';

const { values } = parseArgs({ options: { protocol: { type: 'string' }, reps: { type: 'string', default: '9' }, child: { type: 'string' } } });
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps ${values.reps}: expected a positive integer`);
const SPLITS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

let dir = values.protocol;
let tmp: string | undefined;
if (dir === undefined) {
  tmp = mkdtempSync(join(tmpdir(), 'bench-parse-'));
  dir = join(tmp, 'protocol');
  process.stderr.write(`writing a real-size synthetic protocol to ${dir} …\n`);
  await writeFileMap(dir, realSizeIjba(1, 10).files());
}
const protocolDir = dir;

/** The reading path before the byte parsers: the whole file decoded, then the string parsers. */
async function readOld(): Promise<IjbaSplitData[]> {
  return Promise.all(
    SPLITS.map(async (s) => {
      const path = (name: string): string => join(protocolDir, `split${s}`, `${name}_${s}.csv`);
      const meta = async (name: string): Promise<IjbaMetadata> => parseIjbaMetadata(await readFile(path(name), 'utf8'), path(name));
      const comp = async (name: string): Promise<IjbaComparisons> => parseIjbaComparisons(await readFile(path(name), 'utf8'), path(name));
      const [verifyMetadata, comparisons, probe, gallery] = await Promise.all([meta('verify_metadata'), comp('verify_comparisons'), meta('search_probe'), meta('search_gallery')]);
      return { split: s, verifyMetadata, comparisons, probe, gallery };
    }),
  );
}
const readNew = (): Promise<IjbaSplitData[]> => readIjbaProtocol(protocolDir, SPLITS);
const readScoring = (): Promise<IjbaSplitData[]> => readIjbaProtocol(protocolDir, SPLITS, 'scoring');
type Path = 'old' | 'new' | 'scoring';
const READ: Record<Path, () => Promise<IjbaSplitData[]>> = { old: readOld, new: readNew, scoring: readScoring };

const time = async (f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
};

if (values.child !== undefined) {
  // One cold read in this fresh process; the parent collects the JSON line.
  console.log(JSON.stringify(await time(READ[values.child as Path])));
  process.exit(0);
}

/** Every column bit for bit (typed arrays through their bytes, so NaN payloads and −0 count). */
function same(x: unknown, y: unknown, at: string): void {
  if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
    const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    if (x.constructor !== y.constructor || bx.length !== by.length || bx.some((v, i) => v !== by[i])) throw new Error(`${at}: columns differ`);
  } else if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) throw new Error(`${at}: ${x.length} vs ${y.length} entries`);
    for (let i = 0; i < x.length; i++) same(x[i], y[i], `${at}[${i}]`);
  } else if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x).sort();
    if (kx.join() !== Object.keys(y).sort().join()) throw new Error(`${at}: fields differ`);
    for (const k of kx) same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${at}.${k}`);
  } else if (!Object.is(x, y)) throw new Error(`${at}: ${String(x)} vs ${String(y)}`);
}

const files = await readNew();
same(await readOld(), files, 'splits');
// 'scoring': the columns it reads, identical.
const scoringFiles = await readScoring();
const READ_COLUMNS = ['file', 'n', 'templateId', 'subjectId', 'filename', 'mediaId', 'sightingId', 'visibility', 'line'] as const;
const readColumns = (m: IjbaMetadata): Partial<IjbaMetadata> => Object.fromEntries(READ_COLUMNS.map((k) => [k, m[k]]));
same(
  scoringFiles.map((s) => [s.comparisons, ...[s.verifyMetadata, s.probe, s.gallery].map(readColumns)]),
  files.map((s) => [s.comparisons, ...[s.verifyMetadata, s.probe, s.gallery].map(readColumns)]),
  'scoring',
);
const rows = files.reduce((t, s) => t + s.verifyMetadata.n + s.probe.n + s.gallery.n, 0);
const pairs = files.reduce((t, s) => t + s.comparisons.a.length, 0);
process.stderr.write(`${protocolDir}: ${rows} metadata rows, ${pairs} comparisons; identical results; ${reps} repetitions each\n`);

/** The V8 flags the CLI's `ijba` runs with (bin/interpret-fr-eval.mjs). */
const CLI_V8_FLAGS = ['--single-threaded-gc', '--initial-old-space-size=64', '--no-memory-reducer'];
/** One read in a fresh process (this one's Node flags and loader, plus the CLI's V8 flags). */
const cold = (path: Path): { wall: number; cpu: number } => {
  const r = spawnSync(process.execPath, [...CLI_V8_FLAGS, ...process.execArgv, process.argv[1]!, '--protocol', protocolDir, '--child', path], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child ${path} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { wall: number; cpu: number };
};
type Runs = Record<Path, { wall: number; cpu: number }[]>;
const PATHS: readonly Path[] = ['old', 'new', 'scoring'];
const coldRuns: Runs = { old: [], new: [], scoring: [] };
for (let r = 0; r < reps; r++) for (const k of PATHS) coldRuns[k].push(cold(k));
const runs: Runs = { old: [], new: [], scoring: [] };
for (let r = 0; r < reps; r++) for (const k of PATHS) runs[k].push(await time(READ[k]));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** "median (min)" of one measure. */
const cell = (rs: Runs, k: Path, f: 'wall' | 'cpu'): string => {
  const xs = rs[k].map((x) => x[f]);
  return `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)})`;
};
const ratio = (rs: Runs, f: 'wall' | 'cpu', a: Path, b: Path): string => {
  const m = (k: Path): number => median(rs[k].map((x) => x[f]));
  return `${(m(a) / m(b)).toFixed(a === 'old' ? 1 : 2)}×`;
};
console.log(`| read + parse, 10 splits, ms: median (min) of ${reps} | cold wall | cold CPU | warm wall | warm CPU |`);
console.log('|---|---:|---:|---:|---:|');
for (const [k, label] of [
  ['old', 'old: readFile utf8 + string parsers'],
  ['new', 'new: readIjbaProtocol (bytes)'],
  ['scoring', "scoring: readIjbaProtocol (bytes), columns 'scoring'"],
] as const)
  console.log(`| ${label} | ${cell(coldRuns, k, 'wall')} | ${cell(coldRuns, k, 'cpu')} | ${cell(runs, k, 'wall')} | ${cell(runs, k, 'cpu')} |`);
for (const [a, b] of [
  ['old', 'new'],
  ['new', 'scoring'],
] as const)
  console.log(`| ${a} / ${b} (medians) | ${ratio(coldRuns, 'wall', a, b)} | ${ratio(coldRuns, 'cpu', a, b)} | ${ratio(runs, 'wall', a, b)} | ${ratio(runs, 'cpu', a, b)} |`);
if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
