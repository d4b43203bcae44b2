/**
 * Small, careful file helpers for Node: atomic writes and JSON reads whose errors name the file
 * and the position.
 *
 * @module
 */
import { InterpretFrError } from '../errors.ts';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * Writes `data` to `path` atomically: a temp file in the same directory (so the rename stays
 * on one file system) is written in full, fsynced and renamed over `path`; then the directory is
 * fsynced so the rename itself survives a power cut. Readers see the old file or the new one,
 * never a partial one. On failure the temp file is removed and the error rethrown.
 *
 * @example writeFileAtomic('run/config.json', JSON.stringify(config, null, 2));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file may not exist (open failed) or is already renamed.
    }
    throw e;
  }
  syncDir(dirname(path));
}

/** Best-effort fsync of a directory (not supported on every platform, e.g. Windows). */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Durability of the rename is best effort where directories cannot be fsynced.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** A JSON file that cannot be read or parsed; the message names the file (and line:column). */
export class JsonFileError extends InterpretFrError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message, { code: 'format' });
    this.name = 'JsonFileError';
  }
}

/** 1-based line and column of a character offset. */
function lineCol(text: string, pos: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `${line}:${pos - start + 1}`;
}

/** Whether `text` is valid JSON or could become valid JSON by appending characters. */
function viablePrefix(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    return /end of JSON input/.test(msg) || (m !== null && Number(m[1]) >= text.length);
  }
}

/**
 * Offset of the first character that makes `text` invalid JSON. V8 names the position for some
 * errors only, so otherwise binary-search the shortest prefix that is no longer viable.
 */
function errorOffset(text: string, msg: string): number {
  const m = /position (\d+)/.exec(msg);
  if (m) return Number(m[1]);
  let lo = 0; // viable prefix length
  let hi = text.length; // non-viable prefix length
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (viablePrefix(text.slice(0, mid))) lo = mid;
    else hi = mid;
  }
  return hi - 1;
}

/**
 * Parses a JSON text; errors say `<where>:<line>:<col>: invalid JSON: <reason>`. Shared by
 * {@link readJsonFile} and other readers of JSON files.
 */
export function parseJsonText(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new JsonFileError(`${where}:${lineCol(text, errorOffset(text, msg))}: invalid JSON: ${msg}`, where);
  }
}

/**
 * Reads and parses a UTF-8 JSON file. Errors name the file; a syntax error also gives the line
 * and column. The result is not validated: the caller checks its shape.
 *
 * @example const cfg = readJsonFile('run/config.json') as TrainConfig;
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new JsonFileError(`${path}: cannot read: ${(e as Error).message}`, path);
  }
  return parseJsonText(text, path);
}
