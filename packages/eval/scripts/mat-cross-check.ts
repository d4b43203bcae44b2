/**
 * One-off cross-check of the MAT v5 test writer and the reader against an independent
 * implementation, scipy.io (Debian: `apt-get install python3-scipy`):
 *  1. files written by test/mat-writer.ts (compressed/uncompressed, both byte orders) are loaded by
 *     scipy.io.loadmat and every value is compared with what was written;
 *  2. files written by scipy.io.savemat (do_compression on/off, struct, cell, char, every class) are
 *     read by src/io/mat.ts and compared with the values scipy wrote.
 * Prints one line per check and exits 1 on any mismatch. Usage: pnpm --filter @interpret-fr/eval exec tsx scripts/mat-cross-check.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { matCharRows, readMat, type MatValue } from '../src/io/mat.ts';
import { cellCol, chars, num, writeMat, type WValue } from '../test/mat-writer.ts';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'mat-cross-'));
let bad = 0;
const check = (ok: boolean, what: string): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) bad++;
};

// ---- 1. our writer → scipy ----
const CLASSES = ['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'] as const;
const vars: Record<string, WValue> = {};
for (const c of CLASSES) vars[`a_${c}`] = num(c, [2, 3], c.endsWith('int64') ? [1n, 2n, 3n, 4n, 5n, 126n] : [1, 2, 3, 4, 5, 126]);
vars.narrow = num('double', [1, 4], [1, 2, 250, 7], { storage: 'uint8' });
vars.z = num('single', [2, 1], [1.5, -2], { imag: [0.25, 3] });
vars.names = chars('img/10281.jpg', 'frame/7_1.png');
vars.c = cellCol([chars('abc'), num('uint16', [1, 1], [7])]);
vars.s = {
  kind: 'struct',
  dims: [1, 2],
  fields: ['id', 'label'],
  elements: [
    { id: num('int32', [1, 1], [5]), label: chars('x') },
    { id: num('int32', [1, 1], [6]), label: chars('yz') },
  ],
};
const expectPy = `{
 **{f'a_{c}': [[1,3,5],[2,4,126]] for c in ${JSON.stringify(CLASSES)}},
 'narrow': [[1,2,250,7]], 'z': [[1.5+0.25j],[-2+3j]], 'names': ['img/10281.jpg', 'frame/7_1.png'],
}`;
for (const compress of [false, true])
  for (const bigEndian of [false, true]) {
    const f = join(dir, `ours-${compress ? 'z' : 'u'}-${bigEndian ? 'be' : 'le'}.mat`);
    writeFileSync(f, writeMat(vars, { compress, bigEndian }));
    const out = execFileSync(
      python,
      [
        '-c',
        `
import scipy.io as sio, numpy as np, sys
m = sio.loadmat(sys.argv[1])
exp = ${expectPy}
bad = []
for k, v in exp.items():
    a = m[k]
    if k == 'names':
        if [s.rstrip() for s in a] != v: bad.append(k)
    elif not np.array_equal(a, np.array(v)): bad.append(k)
    if k.startswith('a_') and a.dtype.str[1:] != np.dtype({'double':'f8','single':'f4'}.get(k[2:], k[2:])).str[1:]: bad.append(k + ' dtype ' + str(a.dtype))
c = m['c']
if c.shape != (2, 1) or c[0, 0][0] != 'abc' or c[1, 0][0, 0] != 7 or c[1, 0].dtype.str[1:] != 'u2': bad.append('c')
s = m['s']
if s.shape != (1, 2) or s[0, 0]['id'][0, 0] != 5 or s[0, 1]['label'][0] != 'yz': bad.append('s')
print('mismatch: ' + ', '.join(bad) if bad else 'all equal')
`,
        f,
      ],
      { encoding: 'utf8' },
    ).trim();
    check(out === 'all equal', `scipy.io.loadmat reads test/mat-writer.ts output (${compress ? 'compressed' : 'uncompressed'}, ${bigEndian ? 'big' : 'little'}-endian): ${out}`);
  }

// ---- 2. scipy writer → our reader ----
for (const compress of [false, true]) {
  const f = join(dir, `scipy-${compress ? 'z' : 'u'}.mat`);
  execFileSync(python, [
    '-c',
    `
import scipy.io as sio, numpy as np, sys
d = {f'a_{c}': np.array([[1,3,5],[2,4,126]], dtype={'double':'f8','single':'f4'}.get(c, c)) for c in ${JSON.stringify(CLASSES)}}
d['z'] = np.array([[1.5+0.25j], [-2+3j]])
d['names'] = np.array(['img/10281.jpg', 'frame/7_1.pn'])
d['cellv'] = np.array([['abc'], [np.uint16(7)]], dtype=object)
d['meta'] = {'templateID': np.array([[1],[2]], dtype=np.uint32), 'filename': np.array([['a.jpg'], ['bb.jpg']], dtype=object), 'frame': np.array([[np.nan],[3.0]])}
d['comparison'] = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.uint16)
sio.savemat(sys.argv[1], d, do_compression=${compress ? 'True' : 'False'}, format='5')
`,
    f,
  ]);
  const m = readMat(new Uint8Array(readFileSync(f)), f, { inflate: (x) => inflateSync(x) });
  const nums = (v: MatValue | undefined): number[] => (v && v.kind === 'numeric' ? Array.from(v.real, Number) : []);
  let ok = true;
  for (const c of CLASSES) {
    const v = m.variables.get(`a_${c}`);
    ok &&= v?.kind === 'numeric' && v.class === c && JSON.stringify(v.dims) === '[2,3]' && nums(v).join() === '1,2,3,4,5,126';
  }
  const z = m.variables.get('z');
  ok &&= z?.kind === 'numeric' && nums(z).join() === '1.5,-2' && Array.from(z.imag ?? [], Number).join() === '0.25,3';
  const names = m.variables.get('names');
  ok &&= names?.kind === 'char' && matCharRows(names).join('|') === 'img/10281.jpg|frame/7_1.pn';
  const cv = m.variables.get('cellv');
  ok &&= cv?.kind === 'cell' && cv.cells[0]?.kind === 'char' && matCharRows(cv.cells[0]).join() === 'abc' && nums(cv.cells[1]).join() === '7';
  const meta = m.variables.get('meta');
  ok &&= meta?.kind === 'struct' && meta.elements.length === 1 && nums(meta.elements[0]!.templateID).join() === '1,2' && Number.isNaN(nums(meta.elements[0]!.frame)[0]);
  const cmp = m.variables.get('comparison');
  ok &&= cmp?.kind === 'numeric' && cmp.class === 'uint16' && JSON.stringify(cmp.dims) === '[3,2]' && nums(cmp).join() === '1,3,5,2,4,6';
  check(ok, `src/io/mat.ts reads scipy.io.savemat output (${compress ? 'compressed' : 'uncompressed'}): every class, complex, char, cell, struct, comparison`);
}
process.exit(bad ? 1 : 0);
