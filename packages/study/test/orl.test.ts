import { describe, expect, it } from 'vitest';
import { orlMetrics } from '../src/orl-eval.ts';

describe('ORL read-outs', () => {
  it('ranks probes against the first image of each person and scores every pair', () => {
    // 3 people × 2 images, unit 2-d features. Person 0 at 0°, person 1 at 90°, person 2 at 180°;
    // person 2's second image sits at 80° (nearer person 1's gallery image): one rank-1 error.
    const deg = [0, 10, 90, 100, 180, 80];
    const f = Float32Array.from(deg.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
    const r = orlMetrics(f, Int32Array.from([0, 0, 1, 1, 2, 2]), 2);
    expect(r.people).toBe(3);
    expect(r.probes).toBe(3);
    expect(r.rank1).toBeCloseTo(2 / 3, 12);
    expect(r.verification.pairs).toBe(15);
    expect(r.verification.genuine).toBe(3);
    // Genuine scores cos 10°, cos 10°, cos 100° (< 0); impostor scores include cos 10° (90° vs 80°)
    // and cos 20° (100° vs 80°): AUC by hand = (pairs genuine > impostor, ties ½) / (3 × 12).
    const g = [10, 10, 100].map((d) => Math.cos((d * Math.PI) / 180));
    const imp: number[] = [];
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (Math.floor(i / 2) !== Math.floor(j / 2)) imp.push(Math.cos(((deg[i]! - deg[j]!) * Math.PI) / 180));
    let wins = 0;
    for (const a of g) for (const b of imp) wins += Math.fround(a) > Math.fround(b) ? 1 : Math.fround(a) === Math.fround(b) ? 0.5 : 0;
    expect(r.verification.auc).toBeCloseTo(wins / (3 * imp.length), 6);
  });
});
