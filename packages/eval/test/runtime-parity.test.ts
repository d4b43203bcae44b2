/**
 * "Against any runtime" (issue 14): one checkpoint, exported to ONNX, evaluated by the CLI on every
 * runtime (ort-node, ort-web, tfjs on the cpu and wasm backends) on a small pair protocol and an
 * IJB-A-shaped synthetic set. The reported metrics must be identical. The runtimes' features differ
 * by float rounding only (inference/test/parity.test.ts bounds that at 1e-4 of the scale), so the
 * test also checks the protocols have no score near-tie such a difference could flip.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkpointFromParams, presets, Rng } from '@interpret-fr/core';
import { writeCheckpointDir } from '@interpret-fr/core/node';
import { exportOnnx, randomWeights } from '@interpret-fr/model-export';
import { main } from '../src/cli/main.ts';
import { loadOnRuntime } from '../src/cli/runtimes.ts';
import { formatIjbaMetadata, type IjbaRow } from '../src/protocols/ijba-csv.ts';
import { capture } from './helpers/capture.ts';

const RUNTIMES = [
  ['ort-node', 'cpu'],
  ['ort-web', 'wasm'],
  ['tfjs', 'cpu'],
  ['tfjs', 'wasm'],
] as const;

describe('the eval CLI on every runtime, from the same checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-parity-'));
  const spec = presets['interpretable-tiny']();
  const S = spec.inputSize;
  const ck = checkpointFromParams(spec, randomWeights(spec, 3), { note: 'runtime parity' });
  writeCheckpointDir(join(dir, 'ckpt'), ck);
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(spec, ck.tensors, { outputs: ['embedding'] }));
  // 6 identities × 5 images: an identity = a colour layout; images = that layout, shifted, plus noise.
  const rng = new Rng(8);
  const ids = 6;
  const per = 5;
  const files: string[][] = [];
  mkdirSync(join(dir, 'images'), { recursive: true });
  for (let i = 0; i < ids; i++) {
    const base = Array.from({ length: 9 }, () => Math.floor(rng.float() * 256));
    files.push([]);
    for (let k = 0; k < per; k++) {
      const px = new Uint8Array(S * S * 3);
      const dx = rng.int(5);
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++)
          for (let c = 0; c < 3; c++) {
            const cell = Math.min(2, Math.floor(((x + dx) * 3) / S)) + 3 * Math.min(2, Math.floor((y * 3) / S));
            px[(y * S + x) * 3 + c] = Math.max(0, Math.min(255, ((base[cell]! * (c + 1) * 37) % 256) + Math.round(20 * (rng.float() - 0.5))));
          }
      const name = `id${i}/img${k}.png`;
      mkdirSync(join(dir, 'images', `id${i}`), { recursive: true });
      writeFileSync(
        join(dir, 'images', name),
        await sharp(px, { raw: { width: S, height: S, channels: 3 } })
          .png()
          .toBuffer(),
      );
      files[i]!.push(name);
    }
  }
  // Pairs: every genuine pair, and as many impostor pairs.
  const lines: string[] = [];
  for (let i = 0; i < ids; i++) for (let a = 0; a < per; a++) for (let b = a + 1; b < per; b++) lines.push(`${files[i]![a]} ${files[i]![b]} 1`);
  const nGen = lines.length;
  for (let q = 0; q < nGen; q++) {
    const i = q % ids;
    const j = (i + 1 + (q % (ids - 1))) % ids;
    lines.push(`${files[i]![q % per]} ${files[j]![(q + 2) % per]} 0`);
  }
  writeFileSync(join(dir, 'pairs.txt'), lines.join('\n') + '\n');
  // IJB-A-shaped split 1: per identity, a 3-image verify template and a 2-image one; gallery = ids 0..3, probes = all.
  let sighting = 1;
  const sid = new Map<string, number>();
  for (const f of files.flat()) sid.set(f, sighting++);
  const row = (t: number, s: number, f: string): IjbaRow => ({
    templateId: t,
    subjectId: s,
    file: f,
    mediaId: sid.get(f)!,
    sightingId: sid.get(f)!,
    frame: Number.NaN,
    bbox: [0, 0, S, S],
    landmarks: [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    yaw: Number.NaN,
    visibility: [1, 1, 1],
  });
  const vm: IjbaRow[] = [];
  const gal: IjbaRow[] = [];
  const prb: IjbaRow[] = [];
  for (let i = 0; i < ids; i++) {
    files[i]!.slice(0, 3).forEach((f) => vm.push(row(100 + 2 * i, i + 1, f)));
    files[i]!.slice(3).forEach((f) => vm.push(row(101 + 2 * i, i + 1, f)));
    if (i < 4) files[i]!.slice(0, 2).forEach((f) => gal.push(row(500 + i, i + 1, f)));
    files[i]!.slice(2).forEach((f) => prb.push(row(600 + i, i + 1, f)));
  }
  const comps: string[] = [];
  for (let i = 0; i < ids; i++) for (let j = 0; j < ids; j++) for (const a of [0, 1]) if (i <= j) comps.push(`${100 + 2 * i},${101 + 2 * j - a * (i === j ? 0 : 1)}`);
  mkdirSync(join(dir, 'ijba', 'split1'), { recursive: true });
  writeFileSync(join(dir, 'ijba', 'split1', 'verify_metadata_1.csv'), formatIjbaMetadata(vm));
  writeFileSync(join(dir, 'ijba', 'split1', 'search_gallery_1.csv'), formatIjbaMetadata(gal));
  writeFileSync(join(dir, 'ijba', 'split1', 'search_probe_1.csv'), formatIjbaMetadata(prb));
  writeFileSync(join(dir, 'ijba', 'split1', 'verify_comparisons_1.csv'), [...new Set(comps)].join('\n') + '\n');

  const run = async (argv: string[]): Promise<Record<string, unknown>> => {
    const io = capture();
    const code = await main(argv, io);
    expect(io.e.replace(/^\{.*\}\n/gm, ''), argv.join(' ')).toBe('');
    expect(code, io.e).toBe(0);
    const out = argv[argv.indexOf('--out') + 1]!;
    return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  };
  const metricsOf = (r: Record<string, unknown>) =>
    JSON.stringify({ verify: r.verify, search: r.search, auc: r.auc, eer: r.eer, accuracy: r.accuracy, thresholds: undefined, counts: r.counts });

  it('pairs and IJB-A reports are identical on ort-node, ort-web, tfjs-cpu and tfjs-wasm', async () => {
    const pairs: string[] = [];
    const ijba: string[] = [];
    for (const [runtime, device] of RUNTIMES) {
      const model = runtime === 'tfjs' ? join(dir, 'ckpt') : join(dir, 'model.onnx');
      const tag = `${runtime}-${device}`;
      const common = ['--model', model, '--images', join(dir, 'images'), '--runtime', runtime, '--device', device];
      const p = await run(['pairs', '--pairs', join(dir, 'pairs.txt'), '--format', 'list', ...common, '--out', join(dir, `pairs-${tag}`)]);
      expect((p.model as { runtime: string }).runtime).toBe(runtime);
      pairs.push(metricsOf(p));
      const a = await run(['ijba', '--protocol', join(dir, 'ijba'), '--splits', '1', '--align', 'pass-through', '--gemm', 'wasm', ...common, '--out', join(dir, `ijba-${tag}`)]);
      ijba.push(metricsOf(a));
    }
    for (let k = 1; k < RUNTIMES.length; k++) {
      expect(pairs[k], `pairs: ${RUNTIMES[k]!.join('/')} vs ort-node`).toBe(pairs[0]);
      expect(ijba[k], `ijba: ${RUNTIMES[k]!.join('/')} vs ort-node`).toBe(ijba[0]);
    }
    // Not degenerate: the model separates the identities somewhat, and both classes exist.
    const p0 = JSON.parse(pairs[0]!);
    expect(p0.auc).toBeGreaterThan(0.55);
    expect(p0.counts.pairs).toBe(2 * nGen);
  }, 180_000);

  it('--device cuda without the CUDA libraries falls back to cpu with a note (a JSON line off a TTY); bad combinations are usage errors', async () => {
    const io = capture();
    const code = await main(
      [
        'pairs',
        '--pairs',
        join(dir, 'pairs.txt'),
        '--format',
        'list',
        '--model',
        join(dir, 'model.onnx'),
        '--images',
        join(dir, 'images'),
        '--runtime',
        'ort-node',
        '--device',
        'cuda',
        '--out',
        join(dir, 'pairs-cuda'),
      ],
      io,
    );
    expect(code, io.e).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, 'pairs-cuda', 'report.json'), 'utf8'));
    if (rep.model.providers.includes('cuda')) return; // a machine with CUDA: nothing to fall back from
    // Not a TTY: progress and notes are JSON lines (on a TTY the note reads "ort-node: --device cuda unavailable, running on cpu: <reason>").
    const note = io.e.split('\n').filter((l) => l.includes('provider-fallback'));
    expect(note).toHaveLength(1);
    expect(JSON.parse(note[0]!)).toMatchObject({ what: 'runtime', type: 'provider-fallback', requested: ['cuda', 'cpu'], used: ['cpu'] });
    expect(JSON.parse(note[0]!).reason).toMatch(/CUDA/);
    expect(rep.model.providers).toEqual(['cpu']);
    for (const [argv, msg] of [
      [['--runtime', 'tfjs', '--device', 'cuda'], /--device: "cuda" is not a device of --runtime tfjs/],
      [['--runtime', 'ort-web', '--workers', '2'], /--workers 2 needs --runtime ort-node/],
      [['--runtime', 'onnx'], /--runtime: expected ort-node \| ort-web \| tfjs/],
    ] as const) {
      const e = capture();
      expect(
        await main(
          ['pairs', '--pairs', join(dir, 'pairs.txt'), '--format', 'list', '--model', join(dir, 'model.onnx'), '--images', join(dir, 'images'), ...argv, '--out', join(dir, 'bad')],
          e,
        ),
      ).toBe(2);
      expect(e.e).toMatch(msg);
    }
  }, 60_000);

  it('--runtime tfjs without the trainer installed: a one-line error saying what to install', async () => {
    await expect(loadOnRuntime(join(dir, 'ckpt'), { runtime: 'tfjs', device: 'cpu', workers: 1, verify: true, tfjsEntry: '@interpret-fr/not-installed/embedder' })).rejects.toThrow(
      /^--runtime: --runtime tfjs needs the trainer's checkpoint embedder \(@interpret-fr\/not-installed\/embedder, not installed\); install @interpret-fr\/trainer next to @interpret-fr\/eval/,
    );
  });
});
