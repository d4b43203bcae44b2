/**
 * Plain relative paths: the test that lets a path from a data file skip the path arithmetic of
 * `staysUnderRoot` (`@interpret-fr/core/node`), as text and on the bytes of a file (a protocol parser can
 * then leave such a path unread: it cannot leave any root). Runs in Node and in browsers.
 *
 * @module
 */

/**
 * A plain relative path: not empty, no NUL, no `:` (drives, streams), no `..` anywhere, no leading `/` or
 * `\`, and some character besides `.` and separators. Such a path stays under any root it is joined to,
 * with no path arithmetic (the common case: millions of protocol rows are checked).
 */
export function plainRelativePath(rel: string): boolean {
  const n = rel.length;
  const c0 = rel.charCodeAt(0);
  if (n === 0 || c0 === 47 || c0 === 92) return false;
  let other = false;
  for (let i = 0; i < n; i++) {
    const c = rel.charCodeAt(i);
    if (c === 0 || c === 58) return false;
    if (c === 46) {
      if (rel.charCodeAt(i + 1) === 46) return false;
    } else if (c !== 47 && c !== 92) other = true;
  }
  return other;
}

/**
 * {@link plainRelativePath} of the ASCII text in bytes [start, end) of `b`, without making a string: the
 * same answer as `plainRelativePath(latin1 text of those bytes)` when every byte is < 128. A byte ≥ 128
 * gives false (the caller decodes such a path and asks about the string).
 */
export function plainRelativePathBytes(b: Uint8Array, start: number, end: number): boolean {
  const c0 = b[start]!;
  if (end <= start || c0 === 47 || c0 === 92) return false;
  let other = false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0 || c === 58 || c >= 128) return false;
    if (c === 46) {
      if (i + 1 < end && b[i + 1] === 46) return false;
    } else if (c !== 47 && c !== 92) other = true;
  }
  return other;
}
