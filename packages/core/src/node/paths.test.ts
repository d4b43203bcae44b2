import { isAbsolute, relative, resolve, sep, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { staysUnderRoot } from './paths.ts';

/** The rule by path arithmetic alone (what staysUnderRoot's plain-path shortcut must agree with). */
function byPathArithmetic(rel: string): boolean {
  if (rel.includes('\0')) return false;
  if (isAbsolute(rel) || win32.isAbsolute(rel)) return false;
  const r = relative('/__root__', resolve('/__root__', rel));
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r) && !rel.split(/[\\/]/).includes('..');
}

describe('staysUnderRoot', () => {
  it('agrees with the path-arithmetic rule on 20,000 random paths over a hostile alphabet', () => {
    const rng = new Rng(7);
    const alphabet = ['a', 'b', '.', '.', '/', '/', '\\', ':', '\0', '~', ' ', 'C', 'é'];
    let under = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = rng.int(9);
      let s = '';
      for (let k = 0; k < n; k++) s += alphabet[rng.int(alphabet.length)];
      expect(staysUnderRoot(s), JSON.stringify(s)).toBe(byPathArithmetic(s));
      if (staysUnderRoot(s)) under++;
    }
    expect(under).toBeGreaterThan(1000); // both answers occur
  });

  it('accepts plain protocol paths and refuses escapes', () => {
    for (const ok of ['img/123.jpg', 'frame/1_2.png', 'a/./b.jpg', 'Name/Name_0001.jpg', '.hidden/x', 'x..y/z'.replace('..', '_')]) expect(staysUnderRoot(ok), ok).toBe(true);
    for (const bad of ['', '.', './', '../x', 'a/../../x', 'a/..', '/etc/passwd', '\\\\server\\share', 'C:\\x', 'a\0b', 'a\\..\\..\\x'])
      expect(staysUnderRoot(bad), JSON.stringify(bad)).toBe(false);
  });
});
