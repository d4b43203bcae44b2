import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonFileError, isAtomicTempName, parseJsonText, readJsonFile, writeFileAtomic } from './fs.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-fs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes bytes and strings exactly, replaces an existing file, leaves no temp files', () => {
    const p = join(root, 'a.bin');
    const bytes = new Uint8Array(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileAtomic(p, bytes);
    expect(Buffer.from(readFileSync(p)).equals(Buffer.from(bytes))).toBe(true);
    writeFileAtomic(p, 'héllo\n');
    expect(readFileSync(p, 'utf8')).toBe('héllo\n');
    // A view into a larger buffer writes only the view.
    writeFileAtomic(p, bytes.subarray(10, 13));
    expect([...readFileSync(p)]).toEqual([...bytes.subarray(10, 13)]);
    expect(readdirSync(root).filter((n) => isAtomicTempName(n))).toEqual([]);
  });

  it('fails cleanly (no temp file, old content kept) when the target cannot be replaced', () => {
    const dir = join(root, 'target-is-dir');
    writeFileAtomic(join(root, 'keep.txt'), 'old');
    // Renaming a file over a non-empty directory fails.
    mkdirSync(join(dir, 'child'), { recursive: true });
    expect(() => writeFileAtomic(dir, 'new')).toThrow();
    expect(readdirSync(root).filter((n) => isAtomicTempName(n))).toEqual([]);
    expect(() => writeFileAtomic(join(root, 'missing-dir', 'f.txt'), 'x')).toThrow(/ENOENT/);
    expect(readFileSync(join(root, 'keep.txt'), 'utf8')).toBe('old');
  });
});

describe('readJsonFile', () => {
  it('parses a file', () => {
    const p = join(root, 'ok.json');
    writeFileSync(p, '{"a": [1, 2], "b": "x"}');
    expect(readJsonFile(p)).toEqual({ a: [1, 2], b: 'x' });
  });

  it('names the file and the line:column of a syntax error', () => {
    const p = join(root, 'bad.json');
    writeFileSync(p, '{\n  "a": 1,\n  "b": x\n}');
    let e: unknown;
    try {
      readJsonFile(p);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(JsonFileError);
    expect((e as Error).message).toContain(`${p}:3:8: invalid JSON`);
    expect((e as JsonFileError).path).toBe(p);
  });

  it('names a missing file', () => {
    const p = join(root, 'nope.json');
    expect(() => readJsonFile(p)).toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read: .*ENOENT`));
  });

  it('parseJsonText gives positions for any source label', () => {
    expect(() => parseJsonText('[1,,2]', 'inline')).toThrow(/^inline:1:4: invalid JSON/);
  });
});

describe('parseJsonText positions', () => {
  it.each([
    ['{"a": 1,}', '1:9'],
    ['{"a": 1', '1:8'],
    ['[1] 2', '1:5'],
    ['{\n"a": [1, 2,\n  3 4]}', '3:5'],
    ['{"a": tru}', '1:10'],
  ])('%j fails at %s', (text, pos) => {
    expect(() => parseJsonText(text, 'f.json')).toThrow(new RegExp(`^f\\.json:${pos}: invalid JSON`));
  });
});
