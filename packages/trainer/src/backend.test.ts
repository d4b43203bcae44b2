import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterGradFor, setWasmCanTrain } from './backend-info.ts';
import { isLoadedBackend, loadBackend } from './backend.ts';
import { train } from './train.ts';
import { resolveConfig } from './config.ts';

describe('loadBackend', () => {
  it('auto for training falls back to cpu here, recording why the native and wasm backends were not used', async () => {
    setWasmCanTrain(false);
    const info = await loadBackend('auto', { forTraining: true });
    const byName = new Map(info.attempts.map((a) => [a.name, a]));
    expect(info.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(byName.get('wasm')!.reason).toMatch(/cannot train/);
    expect(info.tf.getBackend()).toBe(info.name);
    // on this machine the native addons are missing; on a machine that has them auto returns earlier
    if (info.name === 'cpu') {
      expect(byName.get('tensorflow-gpu')!.ok).toBe(false);
      expect(byName.get('tensorflow')!.reason).toMatch(/tfjs-node/);
    }
    // The network-building decision comes with the backend (net.ts never asks tf.getBackend()).
    expect(info.filterGrad).toBe(info.name === 'cpu' ? 'conv' : 'native');
    expect([filterGradFor('cpu'), filterGradFor('wasm'), filterGradFor('tensorflow')]).toEqual(['conv', 'native', 'native']);
    expect(info.tf.getGradient('Conv2D')).toBeDefined();
  });

  it('a named backend that cannot load throws with its reason', async () => {
    const info = await loadBackend('auto', { forTraining: true });
    if (info.name === 'cpu') await expect(loadBackend('tensorflow')).rejects.toThrow(/tensorflow: .*tfjs-node/);
  });

  it('auto for training picks wasm when no native backend loads, with the training kernels and the cores as threads', async () => {
    setWasmCanTrain(true);
    const info = await loadBackend('auto', { forTraining: true });
    if (info.attempts[0]!.ok || info.attempts[1]!.ok) return; // a machine with tfjs-node: auto returned earlier
    expect(info.name).toBe('wasm');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    expect(wasm.getThreadsCount()).toBe(Math.min(8, cpus().length));
    // the stock wasm backend has no filter gradient: this one comes from src/wasm/
    expect(info.tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const tf = info.tf;
    const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as import('@tensorflow/tfjs-core').Tensor4D;
    const g = tf.grad((k) => tf.sum(tf.square(tf.conv2d(x, k as import('@tensorflow/tfjs-core').Tensor4D, 2, 'same'))))(w);
    expect(Number.isFinite(g.sum().dataSync()[0]!)).toBe(true);
  });

  it('train() takes only a backend loadBackend returned (the public BackendInfo types tf as unknown)', async () => {
    const info = await loadBackend('cpu');
    expect(isLoadedBackend(info)).toBe(true);
    const copy = { ...info };
    expect(isLoadedBackend(copy)).toBe(false);
    const runDir = join(tmpdir(), 'ifr-never-created'); // refused before the run directory is opened
    await expect(train(resolveConfig({ preset: 'tiny' }), { runDir, backend: copy })).rejects.toThrow(/^train: options\.backend is not a backend loadBackend\(\) returned/);
    expect(existsSync(runDir)).toBe(false);
  });
});
