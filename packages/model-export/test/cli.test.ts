import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { paramInfos, presets } from '@interpret-fr/core';
import { writeCheckpointDir } from '@interpret-fr/core/node';
import { main } from '../src/cli.ts';
import { decodeOnnx, randomWeights } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function makeRun(name: string): string {
  const spec = presets['interpretable-tiny']({ numClasses: 5 });
  const run = join(root, name);
  const w = randomWeights(spec, 11);
  const tensors = paramInfos(spec).map((p) => ({ name: p.name, shape: p.shape, dtype: 'float32' as const, data: w.get(p.name)! }));
  writeCheckpointDir(join(run, 'checkpoints', 'step-000002'), { spec, tensors, meta: { step: 2 } });
  writeCheckpointDir(join(run, 'checkpoints', 'step-000004'), { spec, tensors, meta: { step: 4 } });
  writeFileSync(join(run, 'checkpoint'), 'checkpoints/step-000004\n');
  writeFileSync(join(run, 'config.json'), JSON.stringify({ preset: 'tiny', lr: 0.001 }));
  return run;
}

describe('interpret-fr-export CLI', () => {
  it('exports the latest checkpoint with maps, config and sha256 in the metadata; ORT loads it', async () => {
    const dir = makeRun('ok');
    const out = join(root, 'ok.onnx');
    const r = await run([dir, '-o', out, '--maps', '--opset', '18']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/interpretable-tiny, \d+ nodes/);
    const bytes = new Uint8Array(readFileSync(out));
    const m = decodeOnnx(bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoints/step-000004/manifest.json'), 'utf8')) as { sha256: string };
    expect(m.metadata['interpret-fr.checkpoint-sha256']).toBe(manifest.sha256);
    expect(JSON.parse(m.metadata['interpret-fr.training-config']!)).toEqual({ preset: 'tiny', lr: 0.001 });
    expect(m.opsets[0]!.version).toBe(18);
    const s = await ort.InferenceSession.create(bytes);
    expect([...s.outputNames]).toEqual(['embedding', 'maps']);
    const res = await s.run({ image: new ort.Tensor('float32', new Float32Array(3 * 48 * 48).fill(0.25), [1, 3, 48, 48]) });
    expect(res.maps!.dims).toEqual([1, 40, 12, 12]);
  });

  it('-o onto a FIFO or a symlink to a device is refused, the target left alone; an edited architecture is refused', async () => {
    const dir = makeRun('targets');
    const fifo = join(root, 'pipe.onnx');
    execFileSync('mkfifo', [fifo]);
    let r = await run([dir, '-o', fifo]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`interpret-fr-export: ${fifo}: refusing to replace a named pipe (FIFO) with a regular file (give the path of a regular file)\n`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const dev = join(root, 'null.onnx');
    symlinkSync('/dev/null', dev);
    r = await run([dir, '-o', dev]);
    expect(r.err).toMatch(/refusing to replace a symbolic link to a character device/);
    expect(lstatSync(dev).isSymbolicLink()).toBe(true);
    // Every `elu` made `relu` in the manifest (weights untouched): refused, nothing written.
    const mp = join(dir, 'checkpoints/step-000004/manifest.json');
    writeFileSync(mp, readFileSync(mp, 'utf8').replaceAll('"elu"', '"relu"'));
    r = await run([dir, '-o', join(root, 'relu.onnx')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/manifest\.json: SHA-256 mismatch: the manifest was edited or corrupted/);
    expect(existsSync(join(root, 'relu.onnx'))).toBe(false);
  });

  it('refuses a corrupted checkpoint with the reason and writes nothing', async () => {
    const dir = makeRun('bad');
    const w = join(dir, 'checkpoints/step-000004/weights.bin');
    const bytes = readFileSync(w);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(w, bytes);
    const out = join(root, 'bad.onnx');
    const r = await run([dir, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^interpret-fr-export: .*weights\.bin: SHA-256 mismatch[^\n]*\n$/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(w, bytes.subarray(0, 50));
    expect((await run([dir, '-o', out])).err).toMatch(/truncated/);
  });

  it('prints usage on --help and rejects bad arguments', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^interpret-fr-export: [\s\S]*Usage: interpret-fr-export <run-dir/) });
    expect(await run(['x'])).toMatchObject({ code: 2, err: 'interpret-fr-export: --output is required (see interpret-fr-export --help)\n' });
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/expected 1 argument, got 0/) });
    expect(await run(['x', '-o', 'y', '--opset', '9'])).toMatchObject({ code: 2, err: expect.stringMatching(/--opset: expected an integer in 13..21, got "9"/) });
    expect(await run(['x', '--frob'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --frob/) });
    expect(await run(['x', '--no-fold-nb'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --no-fold-nb; did you mean --no-fold-bn\?/) });
    expect(await run([join(root, 'nope'), '-o', 'y'])).toMatchObject({ code: 1, err: `interpret-fr-export: ${join(root, 'nope')}: no such directory\n` });
  });
});
