import { describe, expect, it } from 'vitest';
import { plainRelativePath, plainRelativePathBytes } from './plain-path.ts';
import { Rng } from './rng.ts';
import { staysUnderRoot } from './node/paths.ts';

/** `s` inside a buffer with hostile bytes around it (the test must read only [start, end)). */
function framed(s: string): { b: Uint8Array; start: number; end: number } {
  const body = Buffer.from(s, 'latin1');
  const b = new Uint8Array(body.length + 4);
  b.set([46, 46, 47, 0], 0); // `../` and NUL before
  b.set(body, 2);
  b[body.length + 2] = 46; // `.` right after: `x.` + `.` must not read as `..`
  b[body.length + 3] = 58; // `:` after
  return { b, start: 2, end: body.length + 2 };
}

describe('plainRelativePath / plainRelativePathBytes', () => {
  it('the byte form gives the string form on 20,000 random ASCII paths (read inside hostile neighbours), and both imply staysUnderRoot', () => {
    const rng = new Rng(19);
    const alphabet = ['a', 'b', '.', '.', '/', '/', '\\', ':', '\0', '~', ' ', 'C', '\t'];
    let plain = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = rng.int(9);
      let s = '';
      for (let k = 0; k < n; k++) s += alphabet[rng.int(alphabet.length)];
      const { b, start, end } = framed(s);
      const want = plainRelativePath(s);
      expect(plainRelativePathBytes(b, start, end), JSON.stringify(s)).toBe(want);
      if (want) {
        expect(staysUnderRoot(s), JSON.stringify(s)).toBe(true);
        plain++;
      }
    }
    expect(plain).toBeGreaterThan(2000); // both answers occur
    expect(plain).toBeLessThan(18_000);
  });

  it('examples: protocol paths are plain; escapes, drives, `..`, empty and dot-only paths are not; a byte ≥ 128 is left to the string form', () => {
    for (const ok of ['img/123.jpg', 'frame/1_2.png', 'a/./b.jpg', '.hidden/x', 'a b/c.jpg', 'x.y/z', 'a\\b.jpg'])
      expect([plainRelativePath(ok), plainRelativePathBytes(framed(ok).b, framed(ok).start, framed(ok).end)], ok).toEqual([true, true]);
    for (const bad of ['', '.', './', '../x', 'a/..', 'x..y', '/etc/passwd', '\\x', 'C:x', 'a\0b', '...'])
      expect([plainRelativePath(bad), plainRelativePathBytes(framed(bad).b, framed(bad).start, framed(bad).end)], JSON.stringify(bad)).toEqual([false, false]);
    const e = Buffer.from('img/é.jpg', 'utf8');
    expect(plainRelativePath('img/é.jpg')).toBe(true);
    expect(plainRelativePathBytes(e, 0, e.length)).toBe(false);
  });
});
