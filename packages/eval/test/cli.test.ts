import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { capture } from './helpers/capture.ts';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';
import { syntheticIjbc } from '../src/protocols/ijbc-synthetic.ts';
import { writeFeatures, writeFileMap } from '../src/io/files.ts';

describe('interpret-fr-eval CLI', () => {
  it('--help for every command; unknown options are usage errors (exit 2)', async () => {
    for (const cmd of ['ijba', 'pairs', 'ijbc', 'occlusion', 'peaks', 'synthetic']) {
      const io = capture();
      expect(await main([cmd, '--help'], io)).toBe(0);
      expect(io.o).toContain(`interpret-fr-eval ${cmd}`);
    }
    const io = capture();
    expect(await main(['ijba', '--bogus', 'x'], io)).toBe(2);
    expect(io.e).toBe('interpret-fr-eval ijba: unknown option --bogus (see interpret-fr-eval ijba --help)\n');
    const typo = capture();
    expect(await main(['pairs', '--pair', 'x'], typo)).toBe(2);
    expect(typo.e).toMatch(/unknown option --pair; did you mean --pairs\?/);
    const bad = capture();
    expect(await main(['ijba', '--protocol', 'p', '--out', 'o', '--score', 'set-min'], bad)).toBe(2);
    expect(bad.e).toMatch(/^interpret-fr-eval ijba: --score: expected one of set-min-mean, .*got "set-min"/);
    const nope = capture();
    expect(await main(['paris'], nope)).toBe(2);
    expect(nope.e).toBe('interpret-fr-eval: unknown command "paris"; did you mean pairs? (see interpret-fr-eval --help)\n');
  });

  it('ijba on a synthetic protocol writes the report keys scripts rely on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ijba-'));
    const syn = syntheticIjba({ seed: 3, splits: 10, subjects: 20, gallerySubjects: 12 });
    await writeFileMap(join(dir, 'protocol'), syn.files);
    await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
    const io = capture();
    const code = await main(
      ['ijba', '--protocol', join(dir, 'protocol'), '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'out'), '--score', 'set-min-mean-matlab'],
      io,
    );
    // stderr holds only progress events (JSON lines, not a terminal): one per scored split, the last at 10/10.
    const events = io.e
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { what: string; split: number; done: number; total: number });
    expect(events.map((e) => e.what)).toEqual(new Array(10).fill('ijba'));
    expect(events.map((e) => e.split).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.at(-1)).toMatchObject({ done: 10, total: 10 });
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    // The same report from one thread (in process) and from one worker per split.
    for (const threads of ['1', '10']) {
      const out = join(dir, `out-${threads}`);
      expect(
        await main(
          [
            'ijba',
            '--protocol',
            join(dir, 'protocol'),
            '--features',
            join(dir, 'f.npy'),
            '--ids',
            join(dir, 'ids.txt'),
            '--out',
            out,
            '--score',
            'set-min-mean-matlab',
            '--threads',
            threads,
          ],
          capture(),
        ),
      ).toBe(0);
      const o = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect({ v: o.verify, s: o.search, p: o.perSplit }).toEqual({ v: r.verify, s: r.search, p: r.perSplit });
    }
    const bad = capture();
    expect(
      await main(['ijba', '--protocol', join(dir, 'protocol'), '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'o0'), '--threads', '0'], bad),
    ).toBe(2);
    expect(bad.e).toMatch(/--threads: expected an integer in 1\.\.256, got "0"/);
    // A protocol without split 2's files: one line naming the file and where it was looked for (not "a bug"), exit 1.
    await writeFileMap(join(dir, 'partial'), new Map([...syn.files].filter(([path]) => path.startsWith('split1/'))));
    const missing = capture();
    expect(await main(['ijba', '--protocol', join(dir, 'partial'), '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'o1')], missing)).toBe(1);
    const lines = missing.e.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^interpret-fr-eval ijba: --protocol: IJB-A protocol: split 2 has no verify_metadata file \(CSV layout: .*; tried .*split2\/verify_metadata_2\.csv, /);
    expect(lines[0]).not.toMatch(/unexpected|bug/);
    expect(r.protocol).toBe('ijba');
    expect(r.score).toBe('set-min-mean-matlab');
    expect(r.alignment).toBe('precomputed features');
    for (const k of ['tar@far=0.01', 'tar@far=0.001'])
      for (const m of ['nearest', 'interpolated']) {
        const v = r.verify[k][m];
        expect(v.splits).toHaveLength(10);
        v.splits.forEach((x: number, s: number) => expect(x).toBeCloseTo(syn.expected.all[s]!.tar, 9));
        expect(v.mean).toBeGreaterThanOrEqual(0);
        expect(v.mean).toBeLessThanOrEqual(1);
      }
    for (const k of ['rank-1', 'rank-5', 'rank-10', 'tpir@fpir=0.01', 'tpir@fpir=0.1']) expect(r.search[k].splits).toHaveLength(10);
    expect(r.search['rank-1'].splits[0]).toBeCloseTo(syn.expected.all[0]!.rank(1), 12);
    expect(r.data.features.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, 'out', 'roc.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(dir, 'out', 'cmc.svg'))).toBe(true);
    expect(readFileSync(join(dir, 'out', 'report.md'), 'utf8')).toContain('set-min-mean-matlab');
  });

  it('pairs with a generic list and ijbc on insightface-layout files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-pairs-'));
    const ids = ['a/1.jpg', 'a/2.jpg', 'b/1.jpg', 'b/2.jpg', 'c/1.jpg'];
    const f = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.2, 1, 0.7, 0.7]);
    await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: f, n: 5, dim: 2 }, ids);
    writeFileSync(join(dir, 'list.txt'), 'a/1.jpg a/2.jpg 1 0\nb/1.jpg b/2.jpg 1 1\na/1.jpg b/1.jpg 0 0\na/2.jpg c/1.jpg 0 1\nb/2.jpg missing.jpg 0 1\n');
    const io = capture();
    expect(await main(['pairs', '--pairs', join(dir, 'list.txt'), '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt'), '--out', join(dir, 'out')], io)).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(r.protocol).toBe('pair-list');
    expect(r.counts).toEqual({ pairs: 4, skippedPairs: 1 });
    expect(r.auc).toBe(1);
    expect(r.accuracy.folds).toHaveLength(2);
    expect(r.stdKind).toBe('sample (N-1)');

    const syn = syntheticIjbc({ seed: 1, templates: 40, pairs: 400, genuinePairs: 50, dim: 8 });
    writeFileSync(join(dir, 'ijbc_face_tid_mid.txt'), syn.meta.names.map((n, i) => `${n} ${syn.meta.templateId[i]} ${syn.meta.mediaId[i]}`).join('\n'));
    writeFileSync(join(dir, 'ijbc_template_pair_label.txt'), Array.from(syn.pairs.a, (a, p) => `${a} ${syn.pairs.b[p]} ${syn.pairs.label[p]}`).join('\n'));
    await writeFeatures(join(dir, 'c.npy'), join(dir, 'c.txt'), { data: syn.features, n: syn.ids.length, dim: 8 }, syn.ids);
    const io2 = capture();
    expect(await main(['ijbc', '--meta', dir, '--features', join(dir, 'c.npy'), '--ids', join(dir, 'c.txt'), '--out', join(dir, 'outc')], io2)).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'outc', 'report.json'), 'utf8'));
    expect(Object.keys(c.verify)).toEqual(['tar@far=0.000001', 'tar@far=0.00001', 'tar@far=0.0001', 'tar@far=0.001', 'tar@far=0.01', 'tar@far=0.1']);
    expect(c.score).toBe('media-pool');
    expect(await main(['ijbc', '--meta', dir, '--features', join(dir, 'c.npy'), '--ids', join(dir, 'c.txt'), '--threads', '1', '--out', join(dir, 'outc1')], capture())).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'outc1', 'report.json'), 'utf8')).verify).toEqual(c.verify);
    // 1:N: G1 / G2 = first template of even / odd subjects, probes = the other templates.
    const nSubj = Math.ceil(40 / 6);
    const rows = (t: number) => syn.meta.names.map((_, i) => i).filter((i) => syn.meta.templateId[i] === t + 1);
    const csv = (ts: number[]) => ['TEMPLATE_ID,SUBJECT_ID,FILENAME', ...ts.flatMap((t) => rows(t).map((i) => `${t + 1},${t % nSubj},${syn.meta.names[i]}`))].join('\n');
    writeFileSync(join(dir, 'ijbc_1N_gallery_G1.csv'), csv([0, 2, 4]));
    writeFileSync(join(dir, 'ijbc_1N_gallery_G2.csv'), csv([1, 3]));
    writeFileSync(join(dir, 'ijbc_1N_probe_mixed.csv'), csv(Array.from({ length: 33 }, (_, k) => k + 7)));
    expect(await main(['ijbc', '--meta', dir, '--search', '--features', join(dir, 'c.npy'), '--ids', join(dir, 'c.txt'), '--out', join(dir, 'outs')], capture())).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'outs', 'report.json'), 'utf8'));
    expect(Object.keys(s.search)).toEqual(['rank-1', 'rank-5', 'rank-10', 'tpir@fpir=0.01', 'tpir@fpir=0.1']);
    expect(s.searchPerGallery.map((g: { name: string; gallery: number }) => [g.name, g.gallery])).toEqual([
      ['G1', 3],
      ['G2', 2],
    ]);
    expect(s.verify['tar@far=0.1'].nearest).toBe(c.verify['tar@far=0.1'].nearest);
    expect(c.counts.genuine).toBe(50);
    // A malformed pair file (the pair-dots workers are already running by then): exit 1, the file:line error, no report.
    writeFileSync(join(dir, 'ijbc_template_pair_label.txt'), '1 2 1\n3 x 0\n');
    const bad = capture();
    expect(await main(['ijbc', '--meta', dir, '--features', join(dir, 'c.npy'), '--ids', join(dir, 'c.txt'), '--out', join(dir, 'outbad')], bad)).toBe(1);
    expect(bad.e).toContain("ijbc_template_pair_label.txt:2: field 2 'x' is not an integer");
    expect(existsSync(join(dir, 'outbad', 'report.json'))).toBe(false);
  });
});
