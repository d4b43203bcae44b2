/**
 * Body of the worker of {@link readTemplatePairs} (ijbc-pairs-parallel.ts): scans its part of the pair file (a
 * view of the SharedArrayBuffer the file was read into) with the same `scanColumns` as the main thread, into the
 * shared columns from the row it was given, and posts how many rows it wrote, or the scan's error (file, line and
 * message, for the main thread to throw as the same IjbcFormatError).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PairPartJob } from './ijbc-pairs-parallel.ts';
import { IjbcFormatError, scanColumns, sharedRows } from './ijbc-text.ts';

const job = workerData as PairPartJob;
try {
  const into = sharedRows(job.out, job.at, job.cap);
  const r = scanColumns(new Uint8Array(job.buffer, job.start, job.end - job.start), job.file, job.nInt, false, job.lineBase, undefined, into);
  parentPort!.postMessage({ rows: r.lineOf.length });
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ error: e instanceof IjbcFormatError ? { file: e.file, line: e.line, detail: e.detail } : { message: `${err?.name}: ${err?.message}` } });
}
