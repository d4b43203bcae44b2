import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainRelativePath, Rng } from '@interpret-fr/core';
import { readIjbaProtocol, writeFileMap } from '../src/io/files.ts';
import {
  ijbaComparisonsFastPath,
  ijbaMetadataFastPath,
  IJBA_COLUMNS,
  type IjbaColumns,
  parseIjbaComparisons,
  parseIjbaComparisonsBytes,
  parseIjbaMetadata,
  parseIjbaMetadataBytes,
} from '../src/protocols/ijba-csv.ts';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';

/**
 * Bit-for-bit equality of two parse results: typed arrays through their bytes (NaN payloads and −0
 * count, as do the array classes and lengths), strings and numbers with Object.is. Returns the first
 * difference's path, or '' when identical.
 */
function diff(x: unknown, y: unknown, at = ''): string {
  if (ArrayBuffer.isView(x) || ArrayBuffer.isView(y)) {
    if (!ArrayBuffer.isView(x) || !ArrayBuffer.isView(y) || x.constructor !== y.constructor || x.byteLength !== y.byteLength) return `${at}: array class or length`;
    const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) return `${at}: byte ${i} (element ${Math.floor(i / (x as Float32Array).BYTES_PER_ELEMENT)})`;
    return '';
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return `${at}: array length`;
    for (let i = 0; i < x.length; i++) {
      if (i in x !== i in y) return `${at}[${i}]: hole`;
      const d = diff(x[i], y[i], `${at}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x).sort();
    const ky = Object.keys(y).sort();
    if (kx.join() !== ky.join()) return `${at}: keys ${kx} vs ${ky}`;
    for (const k of kx) {
      const d = diff((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return Object.is(x, y) ? '' : `${at}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
}

/** What a parser gave: its result, or its error's class, message, file and line. */
function outcome(f: () => unknown): { ok: unknown } | { error: { name: string; message: string; file: unknown; line: unknown } } {
  try {
    return { ok: f() };
  } catch (e) {
    const err = e as Error & { file?: unknown; line?: unknown };
    return { error: { name: `${err.constructor.name}/${err.name}`, message: err.message, file: err.file, line: err.line } };
  }
}

/**
 * The contract: for the bytes of a file, the byte entry point gives what the string parser gives for
 * `readFile(path, 'utf8')` of it (Buffer#toString: a BOM kept, invalid UTF-8 → U+FFFD) — the same
 * result bit for bit, or the same error — whether the bytes come as a Buffer or a plain Uint8Array.
 */
function expectSame(kind: 'metadata' | 'comparisons', bytes: Buffer, file = 'f.csv', columns: IjbaColumns = 'all'): ReturnType<typeof outcome> {
  const text = bytes.toString('utf8');
  const want = outcome(() => (kind === 'metadata' ? parseIjbaMetadata(text, file, columns) : parseIjbaComparisons(text, file)));
  for (const b of [bytes, new Uint8Array(bytes)]) {
    const got = outcome(() => (kind === 'metadata' ? parseIjbaMetadataBytes(b, file, columns) : parseIjbaComparisonsBytes(b, file)));
    if ('error' in want) {
      expect(got).toEqual(want);
      continue;
    }
    if (!('ok' in got)) expect.fail(`byte parser threw ${JSON.stringify(got)} where the string parser accepted:\n${text.slice(0, 2000)}`);
    const d = diff(got.ok, want.ok);
    if (d) expect.fail(`${d} (${b.constructor.name}) in:\n${text.slice(0, 4000)}`);
  }
  return want;
}

const HEADER = IJBA_COLUMNS.join(',');

/** Random metadata CSVs: valid fields of every form the string parser accepts, mixed line ends, blank lines, BOM. */
function randomMetadata(rng: Rng, opts: { plain: boolean }): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const digits = (k: number): string => Array.from({ length: k }, () => String(rng.int(10))).join('');
  const int = (): string => {
    if (opts.plain || rng.int(4)) return `${rng.int(6) ? '' : '-'}${rng.int(8) ? String(rng.int(100000)) : digits(1 + rng.int(10)).replace(/^(\d{9})\d+/, '$1')}`;
    return pick(['007', '-0', '2147483647', '-2147483648', ' 12 ', '1.0', '1e3', '\u00a042', '+5', `000000000000000000${rng.int(99)}`]);
  };
  const num = (text: boolean): string => {
    const plain = (): string => {
      const i = rng.int(8);
      const f = rng.int(Math.max(1, 16 - i));
      const lead = i === 0 ? '' : digits(i);
      const tail = f === 0 ? (rng.int(5) ? '' : '.') : `.${digits(f)}`;
      const s = `${rng.int(4) ? '' : '-'}${lead}${tail}`;
      return /\d/.test(s) ? s : '0';
    };
    const r = rng.int(opts.plain ? 10 : 16);
    if (r < 3) return '';
    if (r < 10) return plain();
    const odd = [' 1.5 ', '1e-7', '-2.5E3', 'NaN', 'nan', '+3', `${digits(17)}.${digits(3)}`, '0x1f', '\t7', '1_0'.replace('_', ''), '-0', '.0', '-.25', '5.'];
    if (text) odd.push('Male', 'unknown', 'Fémale', '日本', 'Infinityx');
    return pick(odd);
  };
  const name = (r: number): string => {
    const ascii = `${pick(['img', 'frame', 'x'])}/${r}_${digits(1 + rng.int(6))}.${pick(['jpg', 'png'])}`;
    if (opts.plain) return rng.int(5) ? ascii : `${pick(['é', '日本/', 'ß', '😀', 'Ω'])}${ascii}`;
    return pick([
      ascii,
      ` ${ascii}`,
      `${ascii}\t`,
      `\u00a0${ascii}\u3000`,
      `visage/Éloïse_${r}.jpg`,
      `${ascii}\r`,
      `a b/${r}.jpg`,
      // Not plain relative paths (kept for scoring), trimmed or not.
      `../${ascii}`,
      ` /data/${ascii}`,
      `C:${ascii}`,
      `${ascii}..`,
      `\\srv\\${r}.jpg `,
    ]);
  };
  const rows = 1 + rng.int(60);
  const eol = (): string => (rng.int(3) ? '\n' : '\r\n');
  let out = `${rng.int(4) ? '' : '\uFEFF'}${opts.plain || rng.int(3) ? HEADER : HEADER.toLowerCase().replace(',FILE,', ' , file ,')}${eol()}`;
  // One bad field in a quarter of the non-plain files (the same error is then expected from both parsers).
  const bad = !opts.plain && rng.int(4) === 0 ? rng.int(rows) : -1;
  for (let r = 0; r < rows; r++) {
    if (rng.int(8) === 0) out += (opts.plain || rng.int(20) ? '' : pick(['   ', '\t', '\r', '\u00a0'])) + eol();
    const f = [int(), int(), name(r), rng.int(4) ? int() : '', int(), num(false), ...Array.from({ length: 14 }, () => num(false)), ...Array.from({ length: 5 }, () => num(true))];
    if (r === bad) {
      const k = [0, 1, 2, 4, 5 + rng.int(15), 20 + rng.int(5)][rng.int(6)]!;
      f[k] = pick(k === 2 ? ['', ' '] : ['Infinity', '-Infinity', '1e999', ...(k < 20 ? ['1x', '--1'] : [])]);
      if (rng.int(4) === 0) f.pop();
    }
    out += f.join(',');
    if (r < rows - 1 || rng.int(2)) out += eol();
  }
  if (rng.int(4) === 0) out += opts.plain ? eol() : pick(['\n\n', '\r\n', '  \n', '\r']);
  return Buffer.from(out, 'utf8');
}

function randomComparisons(rng: Rng, opts: { plain: boolean }): Buffer {
  const id = (): string =>
    opts.plain || rng.int(4) ? `${rng.int(6) ? '' : '-'}${rng.int(1 + rng.int(2 ** 31 - 1))}` : ['007', ' 5', '6 ', '1.0', '1e2', '\u00a09', '-0'][rng.int(7)]!;
  let out = '';
  const rows = rng.int(40);
  for (let r = 0; r < rows; r++) {
    if (rng.int(8) === 0) out += opts.plain ? '\n' : ['', '  ', '\r'][rng.int(3)] + '\n';
    out += `${id()},${id()}`;
    if (r < rows - 1 || rng.int(2)) out += rng.int(3) ? '\n' : '\r\n';
  }
  if (!opts.plain && rng.int(4) === 0) out = ['\uFEFF', ' '][rng.int(2)] + out + ['\r', '\n \n'][rng.int(2)];
  return Buffer.from(out, 'utf8');
}

describe('IJB-A CSV byte parsers: identical to the string parsers', () => {
  it('plain random metadata files take the byte path and equal the string parser bit for bit (incl. NaN, −1, −0, unicode FILE, BOM, CRLF, blank lines)', () => {
    const rng = new Rng(11);
    let fast = 0;
    for (let t = 0; t < 300; t++) {
      const bytes = randomMetadata(rng, { plain: true });
      const want = expectSame('metadata', bytes);
      expect('ok' in want).toBe(true);
      // The byte path itself answers (no fallback) and agrees.
      const direct = ijbaMetadataFastPath(bytes, 'f.csv');
      if (direct === undefined) expect.fail(`byte path gave up on a plain file:\n${bytes.toString('utf8').slice(0, 3000)}`);
      expect(diff(direct, (want as { ok: unknown }).ok)).toBe('');
      fast++;
    }
    expect(fast).toBe(300);
  });

  it('random metadata files with every other accepted form (spaces, exponents, text, 16+ digits, odd headers and blanks) give the same result or the same error', () => {
    const rng = new Rng(12);
    let accepted = 0;
    let fast = 0;
    for (let t = 0; t < 400; t++) {
      const bytes = randomMetadata(rng, { plain: false });
      if ('ok' in expectSame('metadata', bytes)) accepted++;
      if (ijbaMetadataFastPath(bytes, 'f.csv') !== undefined) fast++;
    }
    // Both outcomes occur, and the byte path itself read many of the files with odd fields.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(380);
    expect(fast).toBeGreaterThan(40);
  });

  it('fields that are valid but not plain are read through the column parsers without leaving the byte path', () => {
    const row = ['1', ' 2 ', ' img/é.jpg\u00a0', '', '1e3', '5.', '1e-7', '-.25', '-0', `${'9'.repeat(17)}.5`, '0x1f', ...new Array(10).fill(''), 'Male', '日本', 'nan', ''];
    const bytes = Buffer.from(`${HEADER}\r\n${row.join(',')}\r\n\r\n${row.join(',')}`);
    const m = ijbaMetadataFastPath(bytes, 'f.csv');
    expect(m).toBeDefined();
    expect(diff(m, parseIjbaMetadata(bytes.toString('utf8'), 'f.csv'))).toBe('');
    expect(m!.subjectId[0]).toBe(2);
    expect(m!.filename[0]).toBe('img/é.jpg');
    expect(m!.mediaId[0]).toBe(-1);
    expect(m!.sightingId[0]).toBe(1000);
    expect(Array.from(m!.line)).toEqual([2, 4]);
    expect(Object.is(m!.bbox[2], -0)).toBe(true);
    expect(m!.landmarks[0]).toBe(31);
    expect(Number.isNaN(m!.attributes[1])).toBe(true);
    // A header the string parser accepts but not byte for byte the official one (case, blanks, BOM, no final newline).
    for (const header of [HEADER.toLowerCase(), ` ${HEADER.replaceAll(',', ' ,\t')} `, `\uFEFF${HEADER.replace('FILE', 'file')}`]) {
      for (const tail of ['\r\n', '\n', '']) {
        const file = Buffer.from(`${header}${tail}${tail ? row.join(',') : ''}`);
        const fast = ijbaMetadataFastPath(file, 'f.csv');
        expect(fast, JSON.stringify(header + tail)).toBeDefined();
        expect(diff(fast, parseIjbaMetadata(file.toString('utf8'), 'f.csv'))).toBe('');
        expect(fast!.n).toBe(tail ? 1 : 0);
      }
    }
  });

  it("columns 'scoring': the read columns as 'all' gives them (FILE only where not a plain relative path), the others empty and unchecked; the same result or error from both parsers", () => {
    const rng = new Rng(13);
    const read = ['file', 'n', 'templateId', 'subjectId', 'mediaId', 'sightingId', 'visibility', 'line'] as const;
    let holes = 0;
    let kept = 0;
    const skipped = ['frame', 'bbox', 'landmarks', 'yaw', 'attributes'] as const;
    let fast = 0;
    let lenient = 0;
    let sameError = 0;
    for (let t = 0; t < 700; t++) {
      const plain = t < 300;
      const bytes = randomMetadata(rng, { plain });
      const scoring = expectSame('metadata', bytes, 'f.csv', 'scoring');
      const all = outcome(() => parseIjbaMetadata(bytes.toString('utf8'), 'f.csv'));
      if (plain) {
        expect('ok' in scoring).toBe(true);
        // Plain files stay on the byte path.
        if (ijbaMetadataFastPath(bytes, 'f.csv', 'scoring') !== undefined) fast++;
      }
      if ('ok' in scoring) {
        const m = scoring.ok as Record<string, unknown>;
        for (const k of skipped) expect((m[k] as Float32Array).length, k).toBe(0);
        if ('ok' in all) {
          const a = all.ok as Record<string, unknown>;
          for (const k of read) expect(diff(m[k], a[k], k)).toBe('');
          // FILE: a hole exactly where 'all' reads a plain relative path, else the same text.
          const fs = m.filename as string[];
          const fa = a.filename as string[];
          expect(fs.length).toBe(fa.length);
          for (let r = 0; r < fa.length; r++) {
            const plainPath = plainRelativePath(fa[r]!);
            expect([r in fs, fs[r]], JSON.stringify(fa[r])).toEqual(plainPath ? [false, undefined] : [true, fa[r]]);
            if (plainPath) holes++;
            else kept++;
          }
        } else {
          // Only a bad field in a column that scoring does not read: its line is otherwise readable.
          expect(all.error.message).toMatch(/^f\.csv:\d+: (FRAME|FACE_|RIGHT_|LEFT_|NOSE_BASE|INDOOR|GENDER|SKIN_TONE|AGE|FACIAL_HAIR)/);
          lenient++;
        }
      } else {
        // Any other error (a read column, the field count, the header) is the one 'all' gives.
        expect(scoring).toEqual(all);
        sameError++;
      }
    }
    expect(fast).toBe(300);
    // Both FILE cases occur (non-ASCII names are plain paths too: holes from the string parser's rule).
    expect(holes).toBeGreaterThan(1000);
    expect(kept).toBeGreaterThan(100);
    // Both cases occur among the 400 non-plain files.
    expect(lenient).toBeGreaterThan(5);
    expect(sameError).toBeGreaterThan(5);
  });

  it('plain decimals equal Number(text) bit for bit at every digit count and fraction length', () => {
    const rng = new Rng(13);
    const values: string[] = [];
    for (let d = 1; d <= 15; d++)
      for (let f = 0; f <= d; f++)
        for (let t = 0; t < 8; t++) {
          const s = Array.from({ length: d }, () => String(rng.int(10))).join('');
          values.push(`${t & 1 ? '-' : ''}${s.slice(0, d - f)}${f ? `.${s.slice(d - f)}` : ''}`);
        }
    const rows = values.map((v, i) => [String(i), '1', `img/${i}.jpg`, '', '1', v, v, v, v, v, ...new Array(15).fill(v)].join(','));
    const bytes = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`);
    const m = ijbaMetadataFastPath(bytes, 'f.csv');
    expect(m).toBeDefined();
    values.forEach((v, i) => {
      const want = v === '' ? Number.NaN : Number(v);
      if (!Object.is(m!.frame[i], want)) expect.fail(`FRAME '${v}': ${m!.frame[i]} vs ${want}`);
      if (!Object.is(m!.bbox[4 * i], Math.fround(want))) expect.fail(`FACE_X '${v}': ${m!.bbox[4 * i]} vs ${Math.fround(want)}`);
    });
  });

  it('invalid UTF-8 in FILE names and numeric fields falls back and decodes as readFile(…, "utf8") does', () => {
    const rng = new Rng(14);
    const junk = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x80]];
    for (let t = 0; t < 60; t++) {
      const good = randomMetadata(rng, { plain: true });
      const text = good.toString('latin1');
      // Splice a junk sequence into a random FILE field or a random number field.
      const lines = text.split('\n');
      const li = 1 + rng.int(Math.max(1, lines.length - 2));
      const fields = lines[li]!.split(',');
      if (fields.length !== IJBA_COLUMNS.length) continue;
      const k = rng.int(2) ? 2 : 5 + rng.int(20);
      const j = junk[rng.int(junk.length)]!;
      fields[k] = fields[k]! + String.fromCharCode(...j);
      lines[li] = fields.join(',');
      const bytes = Buffer.from(lines.join('\n'), 'latin1');
      expectSame('metadata', bytes);
      expect(ijbaMetadataFastPath(bytes, 'f.csv')).toBeUndefined();
    }
  });

  it('random comparison files: plain ones take the byte path, all give the same result or the same error', () => {
    const rng = new Rng(15);
    for (let t = 0; t < 300; t++) {
      const plain = t % 2 === 0;
      const bytes = randomComparisons(rng, { plain });
      const want = expectSame('comparisons', bytes);
      if (plain) {
        expect('ok' in want).toBe(true);
        const direct = ijbaComparisonsFastPath(bytes, 'f.csv');
        expect(direct).toBeDefined();
        expect(diff(direct, (want as { ok: unknown }).ok)).toBe('');
      }
    }
  });

  it('every malformed metadata class gives the string parser error (class, message, file, line) through the byte entry point', () => {
    const ok = ['1', '2', 'img/1.jpg', '3', '4', '5', '10', '10', '100', '120', ...new Array(15).fill('1')];
    const csv = (f: string[], header = HEADER): Buffer => Buffer.from(`${header}\n${ok.join(',')}\n\n${f.join(',')}\n${ok.join(',')}\n`);
    const at = (k: number, v: string): string[] => ok.map((x, i) => (i === k ? v : x));
    const cases: [string, Buffer][] = [
      ['24 fields', csv(ok.slice(0, 24))],
      ['26 fields', csv([...ok, '1'])],
      ['1 field', csv(['1'])],
      ['empty TEMPLATE_ID', csv(at(0, ''))],
      ['blank SUBJECT_ID', csv(at(1, '  '))],
      ['empty SIGHTING_ID', csv(at(4, ''))],
      ['empty FILE', csv(at(2, ''))],
      ['blank FILE', csv(at(2, ' \u00a0 '))],
      ['decimal TEMPLATE_ID', csv(at(0, '1.5'))],
      ['TEMPLATE_ID out of range', csv(at(0, '2147483648'))],
      ['TEMPLATE_ID 16 digits', csv(at(0, '9999999999999999'))],
      ['negative MEDIA_ID out of range', csv(at(3, '-2147483649'))],
      ['text SIGHTING_ID', csv(at(4, 'x'))],
      ['text FACE_X', csv(at(6, '1x'))],
      ['a lone minus', csv(at(7, '-'))],
      ['a lone dot', csv(at(8, '.'))],
      ['two dots', csv(at(9, '1.2.3'))],
      ['Infinity', csv(at(16, 'Infinity'))],
      ['-Infinity attribute', csv(at(21, '-Infinity'))],
      ['1e999', csv(at(12, '1e999'))],
      ['non-ASCII digit', csv(at(13, '５'))],
      ['invalid UTF-8 in a number', Buffer.from(csv(at(14, '1#')).toString('latin1').replace('#', '\xff'), 'latin1')],
      ['quoted field', csv(at(2, '"a,b.jpg"'))],
      ['header with 24 columns', csv(ok, IJBA_COLUMNS.slice(0, 24).join(','))],
      ['header misspelt', csv(ok, HEADER.replace('FACE_X', 'FACEX'))],
      ['header only a BOM', Buffer.from('\uFEFF')],
      ['empty file', Buffer.alloc(0)],
      ['no header', Buffer.from(`${ok.join(',')}\n`)],
    ];
    for (const [what, bytes] of cases) {
      const want = expectSame('metadata', bytes, 'data/verify_metadata_1.csv');
      if (!('error' in want)) expect.fail(`${what}: the string parser accepted it`);
      expect(want.error.name).toBe('IjbaFormatError/IjbaFormatError');
      expect(want.error.file).toBe('data/verify_metadata_1.csv');
      expect(ijbaMetadataFastPath(bytes, 'f.csv'), what).toBeUndefined();
    }
    // Line numbers are the file's: the bad row is line 4 (after the header, a good row and a blank line).
    expect(outcome(() => parseIjbaMetadataBytes(csv(at(6, '1x')), 'a.csv'))).toEqual({
      error: { name: 'IjbaFormatError/IjbaFormatError', message: "a.csv:4: FACE_X = '1x', expected a number or an empty field", file: 'a.csv', line: 4 },
    });
  });

  it('every malformed comparisons class gives the string parser error through the byte entry point', () => {
    const cases = ['1', '1,2,3', ',2', '1,', '1.5,2', '1,x', '2147483648,1', '1,-2147483649', ' , ', '1;2', '１,2', '1,2\u0000', '"1",2'];
    for (const bad of cases) {
      const bytes = Buffer.from(`5,6\r\n\r\n${bad}\r\n7,8`);
      const want = expectSame('comparisons', bytes, 'verify_comparisons_1.csv');
      if (!('error' in want)) expect.fail(`'${bad}': the string parser accepted it`);
      expect(want.error.line).toBe(3);
      expect(ijbaComparisonsFastPath(bytes, 'c.csv'), bad).toBeUndefined();
    }
  });

  it('a whole protocol read by readIjbaProtocol equals the string parsers on every file (the bench protocol when present, else a synthetic one)', async () => {
    const bench = '/work/cache/bench-ijba/protocol';
    let dir = bench;
    let tmp: string | undefined;
    if (!existsSync(join(bench, 'split10', 'verify_metadata_10.csv'))) {
      tmp = mkdtempSync(join(tmpdir(), 'ijba-bytes-'));
      dir = join(tmp, 'protocol');
      await writeFileMap(dir, syntheticIjba({ seed: 5, splits: 10, subjects: 60, gallerySubjects: 30, meanExtraImages: 6, mode: 'noisy' }).files);
    }
    try {
      const splits = await readIjbaProtocol(dir);
      expect(splits).toHaveLength(10);
      let rows = 0;
      for (const s of splits) {
        const path = (name: string): string => join(dir, `split${s.split}`, `${name}_${s.split}.csv`);
        const text = async (name: string): Promise<string> => readFile(path(name), 'utf8');
        expect(diff(s.verifyMetadata, parseIjbaMetadata(await text('verify_metadata'), path('verify_metadata')))).toBe('');
        expect(diff(s.probe, parseIjbaMetadata(await text('search_probe'), path('search_probe')))).toBe('');
        expect(diff(s.gallery, parseIjbaMetadata(await text('search_gallery'), path('search_gallery')))).toBe('');
        expect(diff(s.comparisons, parseIjbaComparisons(await text('verify_comparisons'), path('verify_comparisons')))).toBe('');
        // …and they came through the byte path, not the fallback.
        expect(ijbaMetadataFastPath(await readFile(path('search_probe')), 'p.csv')).toBeDefined();
        rows += s.verifyMetadata.n + s.probe.n + s.gallery.n;
      }
      expect(rows).toBeGreaterThan(1000);
    } finally {
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
