import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { MatFormatError, matCharRows, readMat, type MatValue } from '../src/io/mat.ts';
import { readIjbaProtocol, readMatFile, writeFeatures, writeFileMap } from '../src/io/files.ts';
import { parseIjbaComparisons, parseIjbaMetadata, type IjbaMetadata } from '../src/protocols/ijba-csv.ts';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';
import { main } from '../src/cli/main.ts';
import { capture } from './helpers/capture.ts';
import { cellCol, chars, col, num, writeMat, type WValue } from './mat-writer.ts';

const inflate = (d: Uint8Array): Uint8Array => inflateSync(d);
const CLASSES = ['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'] as const;

describe('MAT v5 reader', () => {
  for (const compress of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`every numeric class, complex, logical, char, cell, struct (${compress ? 'compressed' : 'uncompressed'}, ${bigEndian ? 'big' : 'little'}-endian)`, () => {
        const vars: Record<string, WValue> = {};
        for (const c of CLASSES) {
          const vals = c.endsWith('64') && c.includes('int') ? [1n, 2n, 3n, 4n, 5n, 126n] : [1, 2, 3, 4, 5, 126];
          vars[`a_${c}`] = num(c, [2, 3], vals);
        }
        vars.x = num('double', [1, 3], [0.5, Number.NaN, -Infinity]); // name ≤ 4 bytes: small data element
        vars.stored_narrow = num('double', [1, 4], [1, 2, 250, 7], { storage: 'uint8' }); // MATLAB's compact storage
        vars.z = num('single', [2, 1], [1.5, -2], { imag: [0.25, 3] });
        vars.flag = num('uint8', [1, 3], [1, 0, 1], { logical: true });
        vars.names = chars('img/10281.jpg', 'frame/7_1.png');
        vars.c = cellCol([chars('a'), num('uint16', [1, 1], [7]), cellCol([])]);
        vars.s = {
          kind: 'struct',
          dims: [1, 2],
          fields: ['id', 'label'],
          elements: [
            { id: num('int32', [1, 1], [5]), label: chars('x') },
            { id: num('int32', [1, 1], [6]), label: chars('yz') },
          ],
        };
        vars.empty = num('double', [0, 0], []);
        const mat = readMat(writeMat(vars, { compress, bigEndian }), 'fixture.mat', { inflate });
        expect(mat.littleEndian).toBe(!bigEndian);
        expect([...mat.variables.keys()]).toEqual(Object.keys(vars));
        for (const c of CLASSES) {
          const v = mat.variables.get(`a_${c}`)!;
          expect(v).toMatchObject({ kind: 'numeric', class: c, dims: [2, 3] });
          expect(Array.from((v as Extract<MatValue, { kind: 'numeric' }>).real, Number)).toEqual([1, 2, 3, 4, 5, 126]);
        }
        const x = mat.variables.get('x') as Extract<MatValue, { kind: 'numeric' }>;
        expect(Array.from(x.real, Number)).toEqual([0.5, Number.NaN, -Infinity]);
        const sn = mat.variables.get('stored_narrow') as Extract<MatValue, { kind: 'numeric' }>;
        expect(sn.real).toBeInstanceOf(Float64Array);
        expect(Array.from(sn.real, Number)).toEqual([1, 2, 250, 7]);
        const z = mat.variables.get('z') as Extract<MatValue, { kind: 'numeric' }>;
        expect(Array.from(z.real, Number)).toEqual([1.5, -2]);
        expect(Array.from(z.imag!, Number)).toEqual([0.25, 3]);
        expect(mat.variables.get('flag')).toMatchObject({ kind: 'numeric', class: 'uint8', logical: true });
        const names = mat.variables.get('names')!;
        expect(names.kind === 'char' && matCharRows(names)).toEqual(['img/10281.jpg', 'frame/7_1.png']);
        const c = mat.variables.get('c')!;
        expect(c.kind).toBe('cell');
        if (c.kind === 'cell') {
          expect(c.cells[0]!.kind === 'char' && matCharRows(c.cells[0]!)).toEqual(['a']);
          expect(c.cells[1]).toMatchObject({ kind: 'numeric', class: 'uint16', real: Uint16Array.from([7]) });
          expect(c.cells[2]).toMatchObject({ kind: 'cell', dims: [0, 1] });
        }
        const s = mat.variables.get('s')!;
        expect(s).toMatchObject({ kind: 'struct', dims: [1, 2], fields: ['id', 'label'] });
        if (s.kind === 'struct') expect(s.elements.map((e) => Number((e.id as Extract<MatValue, { kind: 'numeric' }>).real[0]))).toEqual([5, 6]);
        expect(mat.variables.get('empty')).toMatchObject({ kind: 'numeric', dims: [0, 0] });
      });
    }
  }

  it('one-line errors naming the file: v7.3/HDF5, v4/garbage, truncated, corrupt zlib, no inflate', () => {
    const hdf = new Uint8Array(1024);
    hdf.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Wed Dec  2 2026 HDF5 schema 1.00 .'));
    hdf.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512);
    const err = (b: Uint8Array, o = { inflate }): string => {
      try {
        readMat(b, 'split1/x_1.mat', o);
      } catch (e) {
        expect(e).toBeInstanceOf(MatFormatError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(hdf)).toMatch(/^split1\/x_1\.mat: is a MAT v7\.3 \(HDF5\) file; .*-v7/);
    expect(err(new Uint8Array(300).fill(7))).toMatch(/^split1\/x_1\.mat: not a MAT v5 file/);
    expect(err(new Uint8Array(20))).toMatch(/too short/);
    const good = writeMat({ comparison: num('uint16', [3, 2], [1, 2, 3, 4, 5, 6]) });
    expect(err(good.subarray(0, good.length - 5))).toMatch(/^split1\/x_1\.mat: byte 128: data element of type 14 claims \d+ bytes, only \d+ left/);
    const comp = writeMat({ comparison: num('uint16', [3, 2], [1, 2, 3, 4, 5, 6]) }, { compress: true });
    const bad = comp.slice();
    bad.fill(0xff, 140, 150);
    expect(err(bad)).toMatch(/^split1\/x_1\.mat: byte 128: cannot decompress \(zlib\)/);
    expect(err(comp, {} as { inflate: typeof inflate })).toMatch(/compressed variable but no inflate function/);
    for (const m of [err(hdf), err(bad)]) expect(m.split('\n')).toHaveLength(1);
  });
});

// ---------- IJB-A protocol in the original release's MAT layout ----------

/** The metadata columns as method.md §6.4 fields: a scalar struct of columns or an N-element struct array. */
function metadataMat(m: IjbaMetadata, shape: 'columns' | 'struct-array'): WValue {
  const n = m.n;
  const pick = (src: Float32Array, k: number, r: number): number[] => Array.from(src.subarray(k * r, k * r + k));
  const colsOf = (src: Float32Array, k: number): number[] => {
    const o: number[] = [];
    for (let c = 0; c < k; c++) for (let r = 0; r < n; r++) o.push(src[k * r + c]!);
    return o;
  };
  const fields = [
    'templateID',
    'subjectID',
    'mediaID',
    'sightingID',
    'frame',
    'filename',
    'bbox',
    'landmark',
    'faceYaw',
    'visibility',
    'indoor',
    'gender',
    'skinTone',
    'age',
    'facialHair',
  ];
  if (shape === 'columns') {
    const attr = (k: number): WValue => col(Array.from({ length: n }, (_, r) => m.attributes[5 * r + k]!));
    return {
      kind: 'struct',
      dims: [1, 1],
      fields,
      elements: [
        {
          templateID: col(m.templateId, 'uint32'),
          subjectID: col(m.subjectId, 'uint16'),
          mediaID: col(Array.from(m.mediaId, (x) => (x < 0 ? Number.NaN : x))),
          sightingID: col(m.sightingId, 'int32'),
          frame: col(m.frame),
          filename: cellCol(m.filename.map((f) => chars(f))),
          bbox: num('double', [n, 4], colsOf(m.bbox, 4)),
          landmark: num('single', [n, 6], colsOf(m.landmarks, 6)),
          faceYaw: col(m.yaw),
          visibility: num('double', [n, 3], colsOf(m.visibility, 3)),
          indoor: attr(0),
          gender: attr(1),
          skinTone: attr(2),
          age: attr(3),
          facialHair: attr(4),
        },
      ],
    };
  }
  return {
    kind: 'struct',
    dims: [n, 1],
    fields,
    elements: Array.from({ length: n }, (_, r) => ({
      templateID: num('double', [1, 1], [m.templateId[r]!]),
      subjectID: num('double', [1, 1], [m.subjectId[r]!]),
      mediaID: num('double', [1, 1], [m.mediaId[r]! < 0 ? Number.NaN : m.mediaId[r]!]),
      sightingID: num('double', [1, 1], [m.sightingId[r]!]),
      frame: num('double', [1, 1], [m.frame[r]!]),
      filename: chars(m.filename[r]!),
      bbox: num('double', [1, 4], pick(m.bbox, 4, r)),
      landmark: num('double', [1, 6], pick(m.landmarks, 6, r)),
      faceYaw: num('double', [1, 1], [m.yaw[r]!]),
      visibility: num('double', [1, 3], pick(m.visibility, 3, r)),
      indoor: num('double', [1, 1], [m.attributes[5 * r]!]),
      gender: chars('Male'),
      skinTone: num('double', [1, 1], [m.attributes[5 * r + 2]!]),
      age: num('double', [1, 1], [m.attributes[5 * r + 3]!]),
      facialHair: num('double', [1, 1], [m.attributes[5 * r + 4]!]),
    })),
  };
}

describe('IJB-A protocol from the original MAT files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ijba-mat-'));
  const syn = syntheticIjba({ seed: 9, splits: 3, subjects: 16, gallerySubjects: 9, mode: 'noisy', noise: 0.1, dim: 16, missingTemplates: 1 });

  it('a .mat protocol (both struct shapes, compressed or not) and the CSVs of the same data give the same report', async () => {
    await writeFileMap(join(dir, 'csv'), syn.files);
    await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
    for (let s = 1; s <= 3; s++) {
      for (const [group, names] of [
        ['verify', ['verify_metadata', 'verify_comparisons']],
        ['search', ['search_probe', 'search_gallery']],
      ] as const) {
        const d = join(dir, 'mat', group, `split${s}`);
        mkdirSync(d, { recursive: true });
        for (const name of names) {
          const text = syn.files.get(`split${s}/${name}_${s}.csv`)!;
          let bytes: Uint8Array;
          if (name === 'verify_comparisons') {
            const c = parseIjbaComparisons(text, name);
            bytes = writeMat({ comparison: num('uint16', [c.a.length, 2], [...c.a, ...c.b]) }, { compress: s !== 2 });
          } else {
            const m = parseIjbaMetadata(text, name);
            bytes = writeMat({ [name]: metadataMat(m, s === 3 ? 'struct-array' : 'columns') }, { compress: s !== 2 });
          }
          writeFileSync(join(d, `${name}_${s}.mat`), bytes);
        }
      }
      writeFileSync(join(dir, 'mat', 'verify', `split${s}`, `train_${s}.mat`), writeMat({ x: num('double', [1, 1], [0]) })); // present in the release, not read
    }
    const [csvSplits, matSplits] = await Promise.all([readIjbaProtocol(join(dir, 'csv'), [1, 2, 3]), readIjbaProtocol(join(dir, 'mat'), [1, 2, 3])]);
    matSplits.forEach((m, i) => {
      const c = csvSplits[i]!;
      for (const k of ['templateId', 'subjectId', 'mediaId', 'sightingId', 'frame', 'bbox', 'landmarks', 'yaw', 'visibility'] as const) {
        expect(m.verifyMetadata[k], k).toEqual(c.verifyMetadata[k]);
        expect(m.probe[k], k).toEqual(c.probe[k]);
      }
      expect(m.gallery.filename).toEqual(c.gallery.filename);
      expect(m.comparisons.a).toEqual(c.comparisons.a);
      expect(m.comparisons.b).toEqual(c.comparisons.b);
    });
    const reports: Record<string, unknown>[] = [];
    for (const layout of ['csv', 'mat']) {
      const io = capture();
      const code = await main(
        [
          'ijba',
          '--protocol',
          join(dir, layout),
          '--splits',
          '1,2,3',
          '--features',
          join(dir, 'f.npy'),
          '--ids',
          join(dir, 'ids.txt'),
          '--out',
          join(dir, `out-${layout}`),
          '--score',
          'set-min-mean-matlab',
        ],
        io,
      );
      expect(io.e).toMatch(/^(\{"what":"ijba",[^\n]*\}\n)+$/); // progress events only
      expect(code).toBe(0);
      reports.push(JSON.parse(readFileSync(join(dir, `out-${layout}`, 'report.json'), 'utf8')));
    }
    const strip = (r: Record<string, unknown>): Record<string, unknown> => {
      const { data: _d, ...rest } = r;
      return rest;
    };
    expect(strip(reports[1]!)).toEqual(strip(reports[0]!));
    expect((reports[0]!.verify as Record<string, { matlab: { splits: number[] } }>)['tar@far=0.01']!.matlab.splits).toHaveLength(3);
  });

  it('a malformed .mat protocol file is a one-line error naming the file', async () => {
    const d = join(dir, 'bad', 'verify', 'split1');
    mkdirSync(d, { recursive: true });
    mkdirSync(join(dir, 'bad', 'search', 'split1'), { recursive: true });
    const m = parseIjbaMetadata(syn.files.get('split1/verify_metadata_1.csv')!, 'vm');
    writeFileSync(join(d, 'verify_metadata_1.mat'), writeMat({ meta: metadataMat(m, 'columns') }));
    writeFileSync(join(d, 'verify_comparisons_1.mat'), writeMat({ comparison: num('uint16', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) }));
    for (const n of ['search_probe', 'search_gallery']) writeFileSync(join(dir, 'bad', 'search', 'split1', `${n}_1.mat`), writeMat({ meta: metadataMat(m, 'columns') }));
    await expect(readIjbaProtocol(join(dir, 'bad'), [1])).rejects.toThrow(/verify_comparisons_1\.mat: 'comparison' is 3×3, expected #pairs × 2/);
    const io = capture();
    expect(
      await main(['ijba', '--protocol', join(dir, 'bad'), '--splits', '1', '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'out-bad')], io),
    ).not.toBe(0);
    expect(io.e.trim().split('\n')).toHaveLength(1);
    expect(io.e).toMatch(/verify_comparisons_1\.mat: 'comparison' is 3×3, expected #pairs × 2$/m);
    writeFileSync(join(d, 'verify_comparisons_1.mat'), new Uint8Array(40));
    const io2 = capture();
    expect(
      await main(['ijba', '--protocol', join(dir, 'bad'), '--splits', '1', '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'out-bad')], io2),
    ).toBe(1);
    expect(io2.e.trim().split('\n')).toHaveLength(1);
    expect(io2.e).toMatch(/verify_comparisons_1\.mat: 40 bytes: too short/);
    await expect(readMatFile(join(dir, 'nope.mat'))).rejects.toThrow(/nope\.mat: cannot read/);
  });
});
