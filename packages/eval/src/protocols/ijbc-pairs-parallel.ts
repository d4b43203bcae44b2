/**
 * Reading IJB-B/C's pair file (`*_template_pair_label.txt`: 15.7M lines, 204 MB for IJB-C) on two threads. The
 * file is read into a SharedArrayBuffer and cut after the newline nearest its middle. A worker scans the second
 * part while this thread scans the first, with the same `scanColumns` (ijbc-text.ts), both into the same shared
 * columns (the second part's rows from the first part's line count on, moved down when the first part had blank
 * lines): no join, no second copy of 15.7M rows. Line numbers go on from the first part's newlines. So the result
 * and every error are those of
 * `parseTemplatePairs` on the whole file: the first malformed line in file order, then the labels (tested in
 * test/ijbc-parse.test.ts). Node only (worker_threads).
 *
 * @module
 */
import { open, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseTemplatePairs, templatePairsOf, type TemplatePairs } from './ijbc.ts';
import { countNewlines, IjbcFormatError, maxRows, scanColumns, sharedRows } from './ijbc-text.ts';

/** Files smaller than this are parsed in the calling thread only (a worker's start costs more than it saves). */
export const PARALLEL_PAIRS_MIN_BYTES = 1 << 24;

/** What the worker posts: how many rows it wrote into the shared columns, or its error. */
type PartMessage = { rows: number } | { error: { file: string | null; line: number | null; detail: string } | { message: string } };

/** The worker's job: its part of the file, and where its rows go (the shared columns, from row `at`, `cap` rows). */
export interface PairPartJob {
  buffer: SharedArrayBuffer;
  start: number;
  end: number;
  file: string;
  lineBase: number;
  nInt: number;
  /** nInt column buffers, then the line numbers' (Int32, shared). */
  out: SharedArrayBuffer[];
  at: number;
  cap: number;
}

/** The whole file in a SharedArrayBuffer (read up to its size at open; a file that shrank meanwhile: what is left). */
async function readShared(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await fh.close();
  }
}

/**
 * `parseTemplatePairs(readFile(path), path)`, the same result and errors, with the file's second half scanned on a
 * worker thread when it has at least `minBytes` (default {@link PARALLEL_PAIRS_MIN_BYTES}) and `threads` (default
 * the cores) is at least 2. When the worker cannot start or fails, this thread scans that half itself. `onPath`: told
 * which way the file was read; `workerUrl`: another worker script (both for tests).
 */
export async function readTemplatePairs(
  path: string,
  opts: { threads?: number; minBytes?: number; onPath?: (how: 'one-thread' | 'worker' | 'worker-failed') => void; workerUrl?: URL } = {},
): Promise<TemplatePairs> {
  const threads = opts.threads ?? availableParallelism();
  const { size } = await stat(path);
  if (threads < 2 || size < (opts.minBytes ?? PARALLEL_PAIRS_MIN_BYTES)) {
    opts.onPath?.('one-thread');
    return parseTemplatePairs(await readFile(path), path);
  }
  const bytes = await readShared(path);
  const n = bytes.length;
  const nl = bytes.indexOf(10, n >> 1);
  if (nl < 0 || nl + 1 >= n) {
    opts.onPath?.('one-thread');
    return parseTemplatePairs(bytes, path);
  }
  const cut = nl + 1;
  const head = bytes.subarray(0, cut);
  const headLines = countNewlines(head);
  // The rows go straight into shared columns: the first part's from row 0 (at most headLines of them), the
  // second's from row headLines (at most maxRows of its bytes). Pages past the rows written are never touched.
  const tailCap = maxRows(n - cut, 3);
  const out = Array.from({ length: 4 }, () => new SharedArrayBuffer(4 * (headLines + tailCap)));
  const job: PairPartJob = {
    buffer: bytes.buffer as SharedArrayBuffer,
    start: bytes.byteOffset + cut,
    end: bytes.byteOffset + n,
    file: path,
    lineBase: headLines,
    nInt: 3,
    out,
    at: headLines,
    cap: tailCap,
  };
  let worker: Worker | null = null;
  let tail: Promise<PartMessage | null>;
  try {
    const w = new Worker(opts.workerUrl ?? new URL('./ijbc-parse-worker.mjs', import.meta.url), { workerData: job });
    worker = w;
    tail = new Promise<PartMessage | null>((resolve) => {
      // A worker that fails to start or dies: null, and this thread scans the tail itself.
      w.once('message', (m: PartMessage) => resolve(m));
      w.once('error', () => resolve(null));
      w.once('exit', () => resolve(null));
    });
  } catch {
    tail = Promise.resolve(null);
  }
  let a: ReturnType<typeof scanColumns>;
  try {
    a = scanColumns(head, path, 3, false, 0, headLines, sharedRows(out, 0, headLines));
  } catch (e) {
    // The first part's error is the file's first.
    await worker?.terminate();
    throw e;
  }
  const m = await tail;
  void worker?.terminate();
  let tailRows: number;
  const scanned = m !== null && ('rows' in m || 'detail' in m.error);
  opts.onPath?.(scanned ? 'worker' : 'worker-failed');
  if (m && 'rows' in m) tailRows = m.rows;
  else if (m && 'detail' in m.error) throw new IjbcFormatError(m.error.file ?? path, m.error.line ?? 0, m.error.detail);
  else {
    // No answer, or an error other than the scan's (its message is not the file's error): this thread scans the
    // tail, into the same rows (the worker has stopped writing: it posted, or it is gone).
    tailRows = scanColumns(bytes.subarray(cut), path, 3, false, headLines, undefined, sharedRows(out, headLines, tailCap)).lineOf.length;
  }
  const headRows = a.lineOf.length;
  const rows = headRows + tailRows;
  const all = sharedRows(out, 0, headLines + tailCap);
  // Blank lines in the first part leave a gap before the second part's rows: close it.
  if (headRows < headLines) for (const c of [...all.cols, all.lineOf]) c.copyWithin(headRows, headLines, headLines + tailRows);
  return templatePairsOf(
    all.cols.map((c) => c.subarray(0, rows)),
    all.lineOf.subarray(0, rows),
    path,
  );
}
