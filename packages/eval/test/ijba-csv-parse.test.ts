import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { IJBA_COLUMNS, parseIjbaMetadata } from '../src/protocols/ijba-csv.ts';

/** What the column parsers define: Number() of the trimmed field, empty → NaN (a numeric column). */
const want = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v.trim()));

describe('IJB-A metadata CSV: in-place decimal parsing equals Number() bit for bit', () => {
  it('plain decimals (1–15 digits, signs, leading zeros, .5 / 5.), and the forms left to the full parser (spaces, exponents, NaN, 16+ digits)', () => {
    const rng = new Rng(7);
    const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
    const field = (): string => {
      switch (rng.int(12)) {
        case 0:
          return '';
        case 1:
          return ` ${digits(1 + rng.int(4))} `;
        case 2:
          return `${digits(1 + rng.int(3))}e${rng.int(5) - 2}`;
        case 3:
          return 'NaN';
        case 4:
          return `${digits(16 + rng.int(4))}.${digits(1 + rng.int(3))}`;
        case 5:
          return `.${digits(1 + rng.int(6))}`;
        case 6:
          return `-${digits(1 + rng.int(6))}.`;
        case 7:
          return `00${digits(1 + rng.int(5))}`;
        default: {
          const i = 1 + rng.int(9);
          const f = rng.int(16 - i);
          return `${rng.int(2) ? '-' : ''}${digits(i)}${f ? `.${digits(f)}` : ''}`;
        }
      }
    };
    const rows: string[][] = [];
    for (let r = 0; r < 3000; r++)
      rows.push([String(1 + rng.int(99)), String(rng.int(500)), `img/${r}.jpg`, rng.int(5) ? String(rng.int(9999)) : '', String(100 + r), ...Array.from({ length: 20 }, field)]);
    const text = `${IJBA_COLUMNS.join(',')}\r\n${rows.map((f) => f.join(',')).join('\r\n')}\n\n  \n`;
    const m = parseIjbaMetadata(text, 'x.csv');
    expect(m.n).toBe(3000);
    const f64 = (col: Float64Array | Float32Array, at: number, v: string): void => {
      const w = want(v);
      const got = col[at]!;
      const exp = col instanceof Float32Array ? Math.fround(w) : w;
      if (!Object.is(got, exp)) expect.fail(`'${v}': got ${got}, want ${exp}`);
    };
    rows.forEach((f, r) => {
      expect(m.templateId[r]).toBe(Number(f[0]));
      expect(m.mediaId[r]).toBe(f[3] === '' ? -1 : Number(f[3]));
      expect(m.line[r]).toBe(r + 2);
      f64(m.frame, r, f[5]!);
      for (let k = 0; k < 4; k++) f64(m.bbox, 4 * r + k, f[6 + k]!);
      for (let k = 0; k < 6; k++) f64(m.landmarks, 6 * r + k, f[10 + k]!);
      f64(m.yaw, r, f[16]!);
      for (let k = 0; k < 3; k++) f64(m.visibility, 3 * r + k, f[17 + k]!);
      for (let k = 0; k < 5; k++) f64(m.attributes, 5 * r + k, f[20 + k]!);
    });
  });

  it('malformed rows still give the one-line errors, naming file, line and value', () => {
    const ok = ['1', '2', 'img/1.jpg', '3', '4', ...new Array(20).fill('')];
    const csv = (f: string[]): string => `${IJBA_COLUMNS.join(',')}\n${ok.join(',')}\n${f.join(',')}\n`;
    expect(() => parseIjbaMetadata(csv(ok.slice(0, 24)), 'a.csv')).toThrow('a.csv:3: 24 fields, expected 25');
    expect(() => parseIjbaMetadata(csv(['1.5', ...ok.slice(1)]), 'a.csv')).toThrow("TEMPLATE_ID = '1.5', expected an integer");
    expect(() => parseIjbaMetadata(csv(['99999999999', ...ok.slice(1)]), 'a.csv')).toThrow("TEMPLATE_ID = '99999999999', expected an integer");
    expect(() => parseIjbaMetadata(csv([...ok.slice(0, 6), '1x', ...ok.slice(7)]), 'a.csv')).toThrow("FACE_X = '1x', expected a number or an empty field");
    expect(() => parseIjbaMetadata(csv([...ok.slice(0, 16), '-Infinity', ...ok.slice(17)]), 'a.csv')).toThrow("FACE_YAW = '-Infinity', expected a finite number");
    expect(() => parseIjbaMetadata(csv(['', ...ok.slice(1)]), 'a.csv')).toThrow('TEMPLATE_ID is empty');
    try {
      parseIjbaMetadata(csv([...ok.slice(0, 6), '1x', ...ok.slice(7)]), 'a.csv');
    } catch (e) {
      expect(e).toMatchObject({ file: 'a.csv', line: 3 });
    }
  });
});
