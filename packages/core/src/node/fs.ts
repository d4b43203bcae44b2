/**
 * Small, careful file helpers for Node: atomic writes and JSON reads whose errors name the file
 * and the position.
 *
 * @module
 */
import { InterpretFrError } from '../errors.ts';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file-system operation that failed (code `io`); the message names the path and says why in words. */
export class FsError extends InterpretFrError {
  constructor(
    message: string,
    readonly path: string,
    /** The errno code (`ENOSPC`, `EROFS`, `EACCES`…) or `ENOTREG` / `EPSEUDOFS` for our own refusals. */
    readonly errno: string,
  ) {
    super(message, { code: 'io' });
    this.name = 'FsError';
  }
}

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EIO: 'input/output error',
};

/**
 * Wraps a Node file-system error as an {@link FsError} whose message reads
 * `<path>: cannot <action>: <reason in words> (<CODE>)`.
 */
export function fsError(e: unknown, path: string, action: string): FsError {
  if (e instanceof FsError) return e;
  const code = (e as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN';
  const why = WHY[code] ?? (e as Error)?.message ?? String(e);
  return new FsError(`${path}: cannot ${action}: ${why} (${code})`, path, code);
}

function kindOf(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'directory';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isFIFO()) return 'named pipe (FIFO)';
  if (st.isSocket()) return 'socket';
  return 'non-regular file';
}

/**
 * Throws an {@link FsError} (`ENOTREG`) when `path` exists and is not a regular file, or is a
 * symbolic link to something that is not: a rename would replace a device node, a FIFO or a
 * directory by a regular file (as root, `-o /dev/null` would replace the system's /dev/null).
 */
export function assertReplaceable(path: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fsError(e, path, 'inspect the file to replace');
  }
  let kind = kindOf(st);
  if (st.isSymbolicLink()) {
    try {
      kind = kindOf(statSync(path));
      if (kind !== null) kind = `symbolic link to a ${kind}`;
    } catch {
      return; // A dangling link: the rename replaces the link itself.
    }
  }
  if (kind !== null) throw new FsError(`${path}: refusing to replace a ${kind} with a regular file (give the path of a regular file)`, path, 'ENOTREG');
}

let counter = 0;

/** Prefix of every temp file {@link writeFileAtomic} creates: `.<name>.tmp-<pid>-<n>`. */
export function atomicTempName(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.tmp-${pid}-${++counter}`);
}

/** Whether a file name is one of {@link writeFileAtomic}'s temp files (for clean-up after a crash). */
export function isAtomicTempName(name: string): boolean {
  return /^\..+\.tmp-\d+-\d+$/.test(name);
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Create the parent directories first ({@link ensureDir}); default false. */
  mkdirs?: boolean;
}

/**
 * Writes `data` to `path` atomically: a temp file in the same directory (so the rename stays
 * on one file system) is written in full, fsynced and renamed over `path`; then the directory is
 * fsynced so the rename itself survives a power cut. Readers see the old file or the new one,
 * never a partial one. Refuses to replace anything but a regular file ({@link assertReplaceable}).
 * On failure the temp file is removed and an {@link FsError} naming `path` is thrown (a full disk
 * says `no space left on device (ENOSPC)`, a read-only one `read-only file system (EROFS)`).
 *
 * @example writeFileAtomic('run/config.json', JSON.stringify(config, null, 2));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: WriteFileAtomicOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (opts.mkdirs) ensureDir(dirname(path));
  assertReplaceable(path);
  const tmp = atomicTempName(path);
  let fd: number | null = null;
  let stage = 'create a temp file beside it';
  try {
    fd = openSync(tmp, 'wx', 0o644);
    stage = `write ${bytes.length} bytes`;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    stage = 'flush to disk';
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    stage = 'rename the temp file into place';
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the write error is the one to report.
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file may not exist (open failed) or is already renamed.
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && stage.startsWith('create')) {
      throw new FsError(`${path}: cannot write: its directory ${dirname(path)} does not exist (ENOENT)`, path, 'ENOENT');
    }
    throw fsError(e, path, stage === `write ${bytes.length} bytes` ? stage : `write (${stage})`);
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

/** statfs magic numbers of kernel pseudo file systems where a run or report must not go. */
const PSEUDO_FS: Record<number, string> = {
  40864: 'proc',
  1650812274: 'sysfs',
  7377: 'devpts',
  1684170528: 'debugfs',
  1953653091: 'tracefs',
  2613483: 'cgroup',
  1667723888: 'cgroup2',
  1935894131: 'securityfs',
  3405662737: 'bpf',
};

/** The pseudo file system (`proc`, `sysfs`…) `path` lives on, or null (also when unknown). */
export function pseudoFileSystem(path: string): string | null {
  try {
    return PSEUDO_FS[Number(statfsSync(path).type)] ?? null;
  } catch {
    return null;
  }
}

/**
 * Creates `dir` and its missing parents, one level at a time, with errors that name the directory
 * and the real cause: a read-only parent says `read-only file system (EROFS)` (not the `ENOENT`
 * Node's recursive mkdir may report), a file in the way says so, and a directory on a kernel pseudo
 * file system (`/proc`, `/sys`: where recursive mkdir loops forever) is refused at once.
 * Returns the absolute path.
 *
 * @example ensureDir('runs/tiny-1/checkpoints');
 */
export function ensureDir(dir: string): string {
  const abs = resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: Stats;
    try {
      st = statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        missing.push(cur);
        const up = dirname(cur);
        if (up === cur) throw fsError(e, abs, 'create directory');
        cur = up;
        continue;
      }
      throw fsError(e, cur, `create directory ${abs}`);
    }
    if (!st.isDirectory()) throw new FsError(`${abs}: cannot create directory: ${cur} exists and is not a directory (ENOTDIR)`, abs, 'ENOTDIR');
    break;
  }
  const pseudo = pseudoFileSystem(cur);
  if (pseudo !== null) throw new FsError(`${abs}: refusing to use a directory on the ${pseudo} pseudo file system (${cur}); choose a directory on a real disk`, abs, 'EPSEUDOFS');
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw fsError(e, d, 'create directory');
    }
  }
  return abs;
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

/** What {@link parseJsonLines} read. */
export interface JsonLines {
  /** One parsed value per complete line. */
  records: unknown[];
  /**
   * The text of a torn last line (no final newline and not valid JSON: a writer killed
   * mid-append), or null. It is not in `records`.
   */
  tornTail: string | null;
}

/**
 * Parses a JSON-lines text (one JSON value per line, blank lines ignored). A torn last line — no
 * trailing newline and invalid JSON, what a process killed mid-append leaves — is tolerated and
 * returned in `tornTail`; any other invalid line throws a {@link JsonFileError}
 * `<where>:<line>:<col>: invalid JSON: …`.
 *
 * @example const { records, tornTail } = parseJsonLines(readFileSync(p, 'utf8'), p);
 */
export function parseJsonLines(text: string, where: string): JsonLines {
  const lines = text.split('\n');
  const records: unknown[] = [];
  let tornTail: string | null = null;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = i === lines.length - 1; // no newline after it
    try {
      records.push(JSON.parse(line));
    } catch (e) {
      if (last) {
        tornTail = line;
        return;
      }
      const msg = (e as Error).message;
      const at = errorOffset(line, msg);
      throw new JsonFileError(`${where}:${i + 1}:${at + 1}: invalid JSON: ${msg}`, where);
    }
  });
  return { records, tornTail };
}

/** Reads a JSON-lines file with {@link parseJsonLines}; a missing file reads as empty. */
export function readJsonLines(path: string): JsonLines {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornTail: null };
    throw new JsonFileError(`${path}: cannot read: ${(e as Error).message}`, path);
  }
  return parseJsonLines(text, path);
}
