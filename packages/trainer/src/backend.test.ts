import { describe, expect, it } from 'vitest';
import { loadBackend, setWasmCanTrain } from './backend.ts';

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
    expect(info.tf.getGradient('Conv2D')).toBeDefined();
  });

  it('a named backend that cannot load throws with its reason', async () => {
    const info = await loadBackend('auto', { forTraining: true });
    if (info.name === 'cpu') await expect(loadBackend('tensorflow')).rejects.toThrow(/tensorflow: .*tfjs-node/);
  });
});
