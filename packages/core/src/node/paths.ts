/**
 * Paths read from data files (an IJB-A FILE column, a pairs/list id, a dataset list) are relative to
 * a data root and must stay under it: `../` or an absolute path would read files the user never
 * pointed the tool at. {@link resolveUnderRoot} is the one check every loader uses; the caller may
 * opt out explicitly (`--allow-outside-root`).
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep, win32 } from 'node:path';
import { InterpretFrError } from '../errors.ts';
import { plainRelativePath } from '../plain-path.ts';

/** A data-file path that leaves its root; names the data file (and line) it came from. */
export class PathOutsideRootError extends InterpretFrError {
  constructor(
    readonly where: string,
    readonly path: string,
    readonly root: string,
  ) {
    super(`${where}: path '${path}' leaves the data root '${root}' (absolute or '..'); paths in data files must stay under the root (pass --allow-outside-root to allow it)`, {
      code: 'data',
    });
    this.name = 'PathOutsideRootError';
  }
}

/** Options of {@link resolveUnderRoot}. */
export interface UnderRootOptions {
  /** Names the source of the path in errors (`file:line`). */
  where: string;
  /** Accept absolute paths and `..` (an explicit user choice). Default false. */
  allowOutsideRoot?: boolean;
}

/** True when `rel` (a path from a data file) stays lexically under any root it is joined to. */
export function staysUnderRoot(rel: string): boolean {
  if (plainRelativePath(rel)) return true;
  if (rel.includes('\0')) return false;
  if (isAbsolute(rel) || win32.isAbsolute(rel)) return false;
  const probe = resolve('/__root__', rel);
  const r = relative('/__root__', probe);
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r) && !rel.split(/[\\/]/).includes('..');
}

/**
 * Joins `rel` to `root`, refusing (with {@link PathOutsideRootError}) an absolute path, any `..`
 * segment, a NUL byte or an empty path unless `allowOutsideRoot` is set.
 *
 * @example
 * resolveUnderRoot('/data/lfw', 'Name/Name_0001.jpg', { where: 'pairs.txt:2' }); // '/data/lfw/Name/Name_0001.jpg'
 */
export function resolveUnderRoot(root: string, rel: string, opts: UnderRootOptions): string {
  if (opts.allowOutsideRoot) return resolve(root, rel);
  if (!staysUnderRoot(rel)) throw new PathOutsideRootError(opts.where, rel, root);
  return resolve(root, rel);
}
