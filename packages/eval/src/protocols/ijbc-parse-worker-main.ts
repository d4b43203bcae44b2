/**
 * Body of the worker of {@link readTemplatePairs} (ijbc-pairs-parallel.ts): scans its part of the pair file (a
 * view of the SharedArrayBuffer the file was read into) with the same `scanColumns` as the main thread, and posts
 * the columns back (their buffers transferred), or the scan's error (file, line and message, for the main thread
 * to throw as the same IjbcFormatError).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IjbcFormatError, scanColumns } from './ijbc-text.ts';

const job = workerData as { buffer: SharedArrayBuffer; start: number; end: number; file: string; lineBase: number; nInt: number };
try {
  const r = scanColumns(new Uint8Array(job.buffer, job.start, job.end - job.start), job.file, job.nInt, false, job.lineBase);
  const buffers = [...r.cols.map((c) => c.buffer as ArrayBuffer), r.lineOf.buffer as ArrayBuffer];
  parentPort!.postMessage({ rows: r.lineOf.length, cols: buffers.slice(0, -1), lineOf: buffers[buffers.length - 1] }, buffers);
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ error: e instanceof IjbcFormatError ? { file: e.file, line: e.line, detail: e.detail } : { message: `${err?.name}: ${err?.message}` } });
}
