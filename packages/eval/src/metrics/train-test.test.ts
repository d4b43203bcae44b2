import { describe, expect, it } from 'vitest';
import { trainTestAccuracy } from './ten-fold.ts';

describe('trainTestAccuracy (threshold from a separate training list)', () => {
  it('picks the best training threshold (ties → smallest) and applies it to the test list', () => {
    // train: same at 0.9, 0.7; different at 0.6, 0.2 → any t in (0.6, 0.7] is perfect; candidates are the
    // training scores, so t = 0.7.
    const r = trainTestAccuracy(Float32Array.from([0.9, 0.7, 0.6, 0.2]), Uint8Array.from([1, 1, 0, 0]), Float32Array.from([0.8, 0.65, 0.75, 0.1]), Uint8Array.from([1, 1, 0, 0]));
    expect(r.threshold).toBeCloseTo(0.7, 6);
    expect(r.trainAccuracy).toBe(1);
    // test: 0.8 ≥ t ✓ same; 0.65 < t ✗; 0.75 ≥ t ✗ (different called same); 0.1 ✓ → 2/4.
    expect(r.accuracy).toBe(0.5);
  });
  it('ties between thresholds go to the smallest, and +∞ is a candidate', () => {
    // Every genuine below every impostor: the best is +∞ (all "different"), accuracy 1/2 on train.
    const r = trainTestAccuracy(Float32Array.from([0.1, 0.9]), Uint8Array.from([1, 0]), Float32Array.from([0.5]), Uint8Array.from([0]));
    expect(r.trainAccuracy).toBe(0.5);
    // t = 0.1 also gives 1/2 (genuine ✓, impostor ✗) and is the smallest tied candidate.
    expect(r.threshold).toBeCloseTo(0.1, 6);
    expect(r.accuracy).toBe(0);
  });
});
