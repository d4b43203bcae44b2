import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IjbcFormatError, parseFaceTidMid, parseTemplatePairs } from '../src/protocols/ijbc.ts';
import { readTemplatePairs } from '../src/protocols/ijbc-pairs-parallel.ts';
import { maxRows, scanColumns } from '../src/protocols/ijbc-text.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * The reference: the line-by-line integer column scanner the IJB-C parsers used before their one-pass fast path
 * (same separators, blank lines, signs, range check and messages), written out here as the specification.
 */
function referenceScan(bytes: Uint8Array, file: string, nInt: number, firstIsName: boolean): { names: string[]; cols: number[][]; lineOf: number[] } {
  const sep = (b: number | undefined): boolean => b === 32 || b === 9 || b === 13 || b === 44;
  const dec = new TextDecoder();
  const cols: number[][] = Array.from({ length: nInt }, () => []);
  const names: string[] = [];
  const lineOf: number[] = [];
  const first = firstIsName ? 1 : 0;
  let pos = 0;
  let lineNo = 0;
  while (pos < bytes.length) {
    lineNo++;
    let end = pos;
    while (end < bytes.length && bytes[end] !== 10) end++;
    let p = pos;
    while (p < end && sep(bytes[p])) p++;
    if (p < end) {
      if (firstIsName) {
        const s = p;
        while (p < end && bytes[p] !== 32 && bytes[p] !== 9 && bytes[p] !== 44) p++;
        names.push(dec.decode(bytes.subarray(s, p)));
        while (p < end && sep(bytes[p])) p++;
      }
      for (let c = 0; c < nInt; c++) {
        if (p >= end) throw new IjbcFormatError(file, lineNo, `${c + first} fields, expected ${nInt + first}`);
        const neg = bytes[p] === 45;
        if (neg) p++;
        let v = 0;
        const s = p;
        while (p < end && bytes[p]! >= 48 && bytes[p]! <= 57) v = v * 10 + bytes[p++]! - 48;
        if (p === s || (p < end && !sep(bytes[p]))) {
          let q = p;
          while (q < end && !sep(bytes[q])) q++;
          throw new IjbcFormatError(file, lineNo, `field ${c + 1 + first} '${dec.decode(bytes.subarray(s, q))}' is not an integer`);
        }
        if (v > 2147483647) throw new IjbcFormatError(file, lineNo, `field ${c + 1 + first} '${dec.decode(bytes.subarray(s, p))}' is out of the 32-bit integer range`);
        cols[c]!.push(neg ? -v | 0 : v); // as an Int32Array stores it (-0 → 0)
        while (p < end && sep(bytes[p])) p++;
      }
      if (p < end) throw new IjbcFormatError(file, lineNo, `extra fields after ${nInt + first}`);
      lineOf.push(lineNo);
    }
    pos = end + 1;
  }
  return { names, cols, lineOf };
}

/** The outcome of a parse as plain data: the columns, or the error's class, place and message. */
function outcome(f: () => unknown): unknown {
  try {
    const r = f() as Record<string, unknown>;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v]));
  } catch (e) {
    const x = e as IjbcFormatError;
    return { error: x.name, file: x.file, line: x.line, message: x.message };
  }
}

function referencePairs(bytes: Uint8Array, file: string): unknown {
  return outcome(() => {
    const { cols, lineOf } = referenceScan(bytes, file, 3, false);
    cols[2]!.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new IjbcFormatError(file, lineOf[i]!, `label ${v}, expected 0 or 1`);
    });
    return { file, a: cols[0]!, b: cols[1]!, label: cols[2]!, line: lineOf };
  });
}
function referenceTid(bytes: Uint8Array, file: string): unknown {
  return outcome(() => {
    const { names, cols } = referenceScan(bytes, file, 2, true);
    return { file, names, templateId: cols[0]!, mediaId: cols[1]! };
  });
}

/**
 * Random line soup: half the files clean (well-formed lines in every allowed spelling, blank lines, CRLF), half with
 * every kind of field, separator and line break the format refuses mixed in.
 */
function randomText(rng: Rng, nameColumn: boolean): string {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const dirty = rng.float() < 0.5;
  const seps = [' ', ' ', ' ', '\t', ',', ' ,', '  ', '\r', ' \t '];
  const good = (): string => pick(['0', '1', '7', '42', String(rng.int(100000)), String(rng.int(2147483647)), '2147483647', '-3', '-0', '007']);
  const any = (): string => pick([good(), good(), '2147483648', '99999999999999999999', '-', '+1', '1.5', 'x', '1x', '', '٣']);
  const lines: string[] = [];
  for (let i = rng.int(12); i >= 0; i--) {
    if (rng.float() < 0.08) {
      lines.push(pick(['', ' ', '\t', '\r', ' , ']));
      continue;
    }
    const fields: string[] = [];
    if (nameColumn) fields.push(pick(['a.jpg', 'img/1.png', 'frames/9_12.jpg', 'x\ry', 'é.jpg', '-1', '12']));
    const n = dirty && rng.float() < 0.15 ? rng.int(5) : nameColumn ? 2 : 3;
    for (let f = 0; f < n; f++) fields.push(!nameColumn && f === 2 && (!dirty || rng.float() < 0.7) ? String(rng.int(2)) : dirty && rng.float() < 0.3 ? any() : good());
    let line = rng.float() < 0.1 ? pick(seps) : '';
    fields.forEach((f, k) => {
      line += (k ? pick(seps) : '') + f;
    });
    if (rng.float() < 0.1) line += pick(seps);
    lines.push(line);
  }
  return lines.join(pick(['\n', '\n', '\r\n', '\n\n'])) + pick(['', '\n', '\r\n', ' ']);
}

describe('IJB-C meta file parsers: the one-pass fast path equals the line-by-line reference', () => {
  it('random line soups: the same columns and line numbers, or the same error (class, file, line, message)', () => {
    const rng = new Rng(20261203);
    let errors = 0;
    for (let t = 0; t < 4000; t++) {
      const pairs = enc(randomText(rng, false));
      const got = outcome(() => parseTemplatePairs(pairs, 'p.txt'));
      expect(got, new TextDecoder().decode(pairs)).toEqual(referencePairs(pairs, 'p.txt'));
      const tid = enc(randomText(rng, true));
      const gotTid = outcome(() => parseFaceTidMid(tid, 't.txt'));
      expect(gotTid, new TextDecoder().decode(tid)).toEqual(referenceTid(tid, 't.txt'));
      errors += Number('error' in (got as object)) + Number('error' in (gotTid as object));
    }
    // Both outcomes are exercised: well-formed files and every kind of error.
    expect(errors).toBeGreaterThan(2000);
    expect(errors).toBeLessThan(6000);
  });

  it('hand-picked cases: signs, the 32-bit range, separators, blank lines, no final newline, misaligned views', () => {
    const cases = [
      '1 2 1\n-3 -4 0\n',
      '2147483647,0,1\r\n\r\n  \n5\t6\t0',
      '1 2 1\n2147483648 1 0\n',
      '1 2 1\n99999999999999999999 1 0\n',
      '1 2\n',
      '1 2 1 4\n',
      '1 2 1x\n',
      '1 - 1\n',
      '\n\n\n7 8 1',
      '1 2 3\n',
    ];
    for (const c of cases) {
      const b = enc(c);
      expect(
        outcome(() => parseTemplatePairs(b, 'p.txt')),
        c,
      ).toEqual(referencePairs(b, 'p.txt'));
      // The same bytes at every byte offset of a larger buffer (the newline count reads whole words).
      for (let off = 1; off < 4; off++) {
        const big = new Uint8Array(b.length + off);
        big.set(b, off);
        const view = big.subarray(off);
        expect(
          outcome(() => parseTemplatePairs(view, 'p.txt')),
          `${c} at +${off}`,
        ).toEqual(referencePairs(b, 'p.txt'));
      }
    }
    expect(outcome(() => parseTemplatePairs(enc('1 2 1\n2147483648 1 0\n'), 'p.txt'))).toMatchObject({
      line: 2,
      message: "p.txt:2: field 1 '2147483648' is out of the 32-bit integer range",
    });
  });
});

describe('IJB-C pair file read on two threads (readTemplatePairs)', () => {
  /** The outcome of a parse as plain data (async). */
  async function outcomeAsync(f: () => Promise<unknown>): Promise<unknown> {
    try {
      const r = (await f()) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v]));
    } catch (e) {
      const x = e as IjbcFormatError;
      return { error: x.name, file: x.file, line: x.line, message: x.message };
    }
  }

  it('random files cut in two (a worker scans the second part): the same pairs and lines, or the same first error', async () => {
    const rng = new Rng(7);
    const dir = mkdtempSync(join(tmpdir(), 'ijbc-par-'));
    try {
      const seen = { worker: 0, errors: 0, tailErrors: 0, headErrors: 0 };
      for (let t = 0; t < 36; t++) {
        // Well-formed lines in every spelling (separators, signs, blank lines), with 0–2 malformed lines at random
        // places in a third of the files each, and some random soups (errors of every kind) joined in the last files.
        const seps = [' ', '\t', ',', ' , ', '  ', ' \r '];
        const lines: string[] = [];
        for (let k = 0, nl = 50 + rng.int(400); k < nl; k++) {
          if (rng.float() < 0.05) lines.push(['', ' ', '\t', ' , '][rng.int(4)]!);
          else lines.push([rng.int(2) ? String(rng.int(100000)) : `-${rng.int(9)}`, String(rng.int(2147483647)), String(rng.int(2))].join(seps[rng.int(seps.length)]!));
        }
        const bad = t % 3 === 0 ? 0 : t % 3 === 1 ? 1 : 2;
        for (let k = 0; k < bad; k++) lines[rng.int(lines.length)] = ['1 x 0', '1 2', '1 2 0 4', '2147483648 1 0', '1 2 5', '1.5 2 0'][rng.int(6)]!;
        if (t >= 30) for (let k = 0; k < 10; k++) lines.splice(rng.int(lines.length), 0, randomText(rng, false).replace(/[\r\n ]+$/, ''));
        const text = lines.join(t % 2 ? '\r\n' : '\n') + (t % 4 ? '\n' : '');
        const path = join(dir, `p${t}.txt`);
        writeFileSync(path, text);
        const want = outcome(() => parseTemplatePairs(readFileSync(path), path));
        let how = '';
        const got = await outcomeAsync(() => readTemplatePairs(path, { threads: 2, minBytes: 0, onPath: (h) => (how = h) }));
        expect(got, text).toEqual(want);
        if (how === 'worker') seen.worker++;
        // Where the reader cuts: after the newline nearest the middle (a first part's scan error ends it before it asks the worker).
        const bytes = Buffer.from(text);
        const headLines = bytes.subarray(0, bytes.indexOf(10, bytes.length >> 1) + 1).filter((b) => b === 10).length;
        const w = want as { error?: string; line?: number; message?: string };
        if (w.error && !/label/.test(w.message!)) {
          seen.errors++;
          if (w.line! > headLines) seen.tailErrors++;
          else seen.headErrors++;
        }
      }
      // The worker scanned its part of every file but those whose first part holds a malformed line; good files and
      // malformed lines in either part occurred.
      expect(seen.worker).toBe(36 - seen.headErrors);
      expect(seen.headErrors).toBeGreaterThanOrEqual(2);
      expect(seen.tailErrors).toBeGreaterThanOrEqual(2);
      expect(seen.errors).toBeLessThan(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("an error in the second part only, a bad label in the first: the second part's error, as one thread gives it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ijbc-par-'));
    try {
      const lines = Array.from({ length: 1000 }, (_, i) => `${i} ${i + 1} ${i % 2}`);
      lines[10] = '10 11 2'; // a bad label: checked after the scan
      lines[900] = '900 x 1'; // a malformed field: the scan's error
      const path = join(dir, 'p.txt');
      writeFileSync(path, `${lines.join('\n')}\n`);
      let how = '';
      const err = await readTemplatePairs(path, { threads: 2, minBytes: 0, onPath: (h) => (how = h) }).catch((e: unknown) => e as IjbcFormatError);
      expect(how).toBe('worker');
      expect(err).toBeInstanceOf(IjbcFormatError);
      expect((err as IjbcFormatError).message).toBe(`${path}:901: field 2 'x' is not an integer`);
      expect(outcome(() => parseTemplatePairs(readFileSync(path), path))).toMatchObject({ line: 901, message: (err as IjbcFormatError).message });
      // Fixed, the label error (line 11) comes next, also from the joined columns.
      lines[900] = '900 901 1';
      writeFileSync(path, `${lines.join('\n')}\n`);
      await expect(readTemplatePairs(path, { threads: 2, minBytes: 0 })).rejects.toThrow(`${path}:11: label 2, expected 0 or 1`);
      // One thread, or a small file by default: the same.
      let one = '';
      await expect(readTemplatePairs(path, { threads: 1, onPath: (h) => (one = h) })).rejects.toThrow(`${path}:11: label 2`);
      expect(one).toBe('one-thread');
      // A worker that dies (or cannot start): this thread scans the second part too, with the same result.
      writeFileSync(join(dir, 'dies.mjs'), "throw new Error('no');\n");
      lines[10] = '10 11 1';
      writeFileSync(path, `${lines.join('\r\n')}`);
      let failed = '';
      const got = await readTemplatePairs(path, { threads: 2, minBytes: 0, onPath: (h) => (failed = h), workerUrl: pathToFileURL(join(dir, 'dies.mjs')) });
      expect(failed).toBe('worker-failed');
      expect(got).toEqual(parseTemplatePairs(readFileSync(path), path));
      expect(got.a.length).toBe(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the shortest rows fill the shared columns to their last row (maxRows is tight), and too short an output is refused', async () => {
    // "d d d" rows: 5 bytes and a newline each, the last without one: k rows in 6k − 1 bytes, maxRows' bound exactly.
    const rng = new Rng(11);
    const dir = mkdtempSync(join(tmpdir(), 'ijbc-par-'));
    try {
      for (const k of [2, 3, 50, 501]) {
        const rows = Array.from({ length: k }, () => `${rng.int(10)} ${rng.int(10)} ${rng.int(2)}`);
        const text = rows.join('\n');
        expect(maxRows(text.length, 3)).toBe(k);
        const path = join(dir, `min${k}.txt`);
        writeFileSync(path, text);
        let how = '';
        const got = await readTemplatePairs(path, { threads: 2, minBytes: 0, onPath: (h) => (how = h) });
        expect(how).toBe('worker');
        expect(got).toEqual(parseTemplatePairs(readFileSync(path), path));
        expect(got.a.length).toBe(k);
        // Into arrays of exactly maxRows rows: every row; one row fewer: a RangeError, not a dropped row.
        const bytes = Buffer.from(text);
        const into = (m: number) => ({ cols: [0, 1, 2].map(() => new Int32Array(m)), lineOf: new Int32Array(m) });
        expect(Array.from(scanColumns(bytes, path, 3, false, 0, undefined, into(k)).cols[2]!)).toEqual(Array.from(got.label));
        expect(() => scanColumns(bytes, path, 3, false, 0, undefined, into(k - 1))).toThrow(RangeError);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
