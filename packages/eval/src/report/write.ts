/**
 * Writes a report folder atomically: `report.json`, `report.md` and figures; checksums of inputs.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '@interpret-fr/core/node';

/** JSON with typed arrays as plain arrays and non-finite numbers as null. */
export function toJson(x: unknown): string {
  return (
    JSON.stringify(
      x,
      (_k, v) => {
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
        if (typeof v === 'number' && !Number.isFinite(v)) return null;
        return v;
      },
      2,
    ) + '\n'
  );
}

/** Writes report.json, report.md and each figure (name → SVG text) under dir. */
export async function writeReport(dir: string, json: unknown, markdown: string, figures: Record<string, string> = {}): Promise<string[]> {
  const written = [join(dir, 'report.json'), join(dir, 'report.md')];
  writeFileAtomic(written[0]!, toJson(json), { mkdirs: true });
  writeFileAtomic(written[1]!, markdown, { mkdirs: true });
  for (const [name, svg] of Object.entries(figures)) {
    const p = join(dir, name);
    writeFileAtomic(p, svg, { mkdirs: true });
    written.push(p);
  }
  return written;
}

/** SHA-256 (hex) of a file, streamed in 1 MiB reads (node's 64 KiB default: 3k event-loop turns for IJB-C's 204 MB pair file). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * The worker of {@link sha256Files}: SHA-256 (hex) of each file of `workerData`, in 1 MiB reads; posts
 * `{ hex: string[] }` or `{ error: { message, code } }` (CommonJS: run with `eval`).
 */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
try {
  const buf = Buffer.allocUnsafe(1 << 20);
  const hex = workerData.map((p) => {
    const h = createHash('sha256');
    const fd = openSync(p, 'r');
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    return h.digest('hex');
  });
  parentPort.postMessage({ hex });
} catch (e) {
  parentPort.postMessage({ error: { message: String(e && e.message), code: e && e.code } });
}
`;

/** Inputs from this many bytes on are hashed on a worker thread (below, starting one costs more than it saves). */
const HASH_OFF_THREAD_BYTES = 8 << 20;

/**
 * SHA-256 (hex) of each file, in order. From {@link HASH_OFF_THREAD_BYTES} bytes on (`bytes`: their total), on a
 * worker thread, so that hashing a large input (IJB-C: 345 MB, ≈ 0.3 s of CPU) runs beside the evaluation instead
 * of before it; in this thread when smaller, or when no worker can start. A file that cannot be read rejects with
 * the error of the first such file (its message and code).
 */
export async function sha256Files(files: readonly string[], bytes: number): Promise<string[]> {
  const here = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const f of files) out.push(await sha256File(f));
    return out;
  };
  if (bytes < HASH_OFF_THREAD_BYTES) return here();
  let w: Worker;
  try {
    w = new Worker(HASH_WORKER, { eval: true, workerData: [...files] });
  } catch {
    return here();
  }
  const r = await new Promise<{ hex?: string[]; error?: { message: string; code?: string } } | null>((resolve) => {
    w.once('message', resolve);
    w.once('error', () => resolve(null));
    w.once('exit', () => resolve(null));
  });
  void w.terminate();
  if (r?.hex) return r.hex;
  if (r?.error) throw Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {});
  return here(); // the worker died: hash here
}

/** Checksums of the given files and of every file under the given folders (relative names). */
export async function checksums(paths: Record<string, string>): Promise<Record<string, unknown>> {
  // Every file first (folders listed), hashed together (sha256Files), then the entries in the order given.
  const entries: { k: string; p: string; dir: string[] | null; size: number }[] = [];
  const files: string[] = [];
  let bytes = 0;
  for (const [k, p] of Object.entries(paths)) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const names = (await readdir(p, { recursive: true })).map(String).sort();
      const inDir: string[] = [];
      for (const f of names) {
        const fs = await stat(join(p, f));
        if (!fs.isFile()) continue;
        inDir.push(f);
        files.push(join(p, f));
        bytes += fs.size;
      }
      entries.push({ k, p, dir: inDir, size: names.length });
    } else {
      files.push(p);
      bytes += s.size;
      entries.push({ k, p, dir: null, size: s.size });
    }
  }
  const hex = await sha256Files(files, bytes);
  const out: Record<string, unknown> = {};
  let at = 0;
  for (const e of entries) {
    if (e.dir) {
      const h = createHash('sha256');
      for (const f of e.dir) h.update(`${f}\0${hex[at++]}\n`);
      out[e.k] = { path: e.p, sha256: h.digest('hex'), files: e.size };
    } else out[e.k] = { path: e.p, sha256: hex[at++], bytes: e.size };
  }
  return out;
}
