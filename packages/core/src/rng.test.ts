import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

/** Reference xoshiro128** in BigInt arithmetic (independent of the Int32 tricks in rng.ts). */
function referenceXoshiro(words: [number, number, number, number], count: number): number[] {
  const M = 0xffffffffn;
  const s = words.map(BigInt);
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1]! * 5n) & M, 7n) * 9n) & M));
    const t = (s[1]! << 9n) & M;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
  }
  return out;
}

/** Reference splitmix32 seeding, BigInt. */
function referenceSeed(seed: number): [number, number, number, number] {
  let s = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9n) & 0xffffffffn;
    let z = s;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & 0xffffffffn;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & 0xffffffffn;
    out.push(Number(z ^ (z >> 16n)));
  }
  return out as [number, number, number, number];
}

describe('Rng determinism', () => {
  it('is xoshiro128**: matches a BigInt reference from state [1, 2, 3, 4] and from seeded states', () => {
    const r = new Rng(0).setState({ words: [1, 2, 3, 4], spare: null });
    const got = Array.from({ length: 1000 }, () => r.nextU32());
    expect(got.slice(0, 4)).toEqual([11520, 0, 5927040, 70819200]);
    expect(got).toEqual(referenceXoshiro([1, 2, 3, 4], 1000));
    for (const seed of [0, 1, 42, -7, 2 ** 32 - 1]) {
      const w = referenceSeed(seed);
      expect(new Rng(seed).state().words).toEqual(w);
      const g = new Rng(seed);
      expect(Array.from({ length: 50 }, () => g.nextU32())).toEqual(referenceXoshiro(w, 50));
    }
  });

  it('golden first values of seed 42 (any change here breaks every saved run)', () => {
    const r = new Rng(42);
    expect([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    expect(r.float()).toBe(0.07910565007477999);
    expect(r.int(10)).toBe(0);
    expect(r.normal()).toBe(-0.16296452790841628);
  });

  it('float is nextU32 / 2^32', () => {
    const a = new Rng(9),
      b = new Rng(9);
    for (let i = 0; i < 100; i++) {
      const f = a.float();
      expect(f).toBe(b.nextU32() / 4294967296);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });
});

describe('Rng state', () => {
  it('save/restore replays exactly, including the cached normal deviate, through JSON', () => {
    const r = new Rng(123);
    for (let i = 0; i < 17; i++) r.normal(); // odd count: a spare is cached
    const saved = JSON.parse(JSON.stringify(r.state()));
    expect(saved.spare).not.toBeNull();
    const seq = (g: Rng): number[] => [g.normal(), g.nextU32(), g.int(1000), g.float(), g.truncatedNormal(0.02), g.normal()];
    const first = seq(r);
    const replay = seq(new Rng(999).setState(saved));
    expect(replay).toEqual(first);
    expect(replay[0]).toBe(saved.spare);
  });

  it('refuses malformed states', () => {
    const r = new Rng(1);
    expect(() => r.setState({ words: [0, 0, 0, 0], spare: null })).toThrow(/all-zero/);
    expect(() => r.setState({ words: [1, 2, 3] as never, spare: null })).toThrow(/four uint32/);
    expect(() => r.setState({ words: [1, 2, 3, 2 ** 32], spare: null })).toThrow(/four uint32/);
    expect(() => r.setState({ words: [1, 2, 3, 4], spare: 'x' as never })).toThrow(/spare/);
  });

  it('fork advances the parent by 4 draws and gives a different stream', () => {
    const a = new Rng(5),
      b = new Rng(5);
    const child = a.fork();
    for (let i = 0; i < 4; i++) b.nextU32();
    expect(a.nextU32()).toBe(b.nextU32());
    const c = Array.from({ length: 20 }, () => child.nextU32());
    const p = Array.from({ length: 20 }, () => a.nextU32());
    expect(c.filter((v, i) => v === p[i]).length).toBe(0);
  });
});

describe('Rng distributions', () => {
  it('int(10) passes a chi-square uniformity test (df = 9, p = 0.001 critical value 27.88)', () => {
    const r = new Rng(2024);
    const n = 100_000;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(10)]!++;
    const e = n / 10;
    const chi2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(27.88);
    expect(chi2).toBeGreaterThan(0.5); // not suspiciously perfect
  });

  it('int(n) is unbiased for n near 2^32 (plain modulo would put half the mass below 2^30)', () => {
    const r = new Rng(77);
    const n = 3 * 2 ** 30;
    let below = 0;
    const draws = 30_000;
    for (let i = 0; i < draws; i++) {
      const v = r.int(n);
      expect(v).toBeLessThan(n);
      if (v < 2 ** 30) below++;
    }
    expect(Math.abs(below / draws - 1 / 3)).toBeLessThan(0.015);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(/integer/);
  });

  it('truncatedNormal stays within ±2σ with the truncated-normal moments', () => {
    const r = new Rng(3);
    const sigma = 0.02;
    const n = 100_000;
    let sum = 0,
      sq = 0,
      max = 0,
      beyond1 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.truncatedNormal(sigma);
      sum += x;
      sq += x * x;
      max = Math.max(max, Math.abs(x));
      if (Math.abs(x) > sigma) beyond1++;
    }
    expect(max).toBeLessThanOrEqual(2 * sigma);
    expect(max).toBeGreaterThan(1.99 * sigma);
    // Standard normal truncated at ±2: sd = sqrt(1 − 4φ(2)/(Φ(2) − Φ(−2))) = 0.87962; P(|x| > 1) = (0.9545 − 0.6827)/0.9545 = 0.2848.
    expect(Math.abs(sum / n)).toBeLessThan(0.01 * sigma);
    expect(Math.abs(Math.sqrt(sq / n) / sigma - 0.87962)).toBeLessThan(0.006);
    expect(Math.abs(beyond1 / n - 0.2848)).toBeLessThan(0.006);
  });

  it('normal has mean 0 and variance 1', () => {
    const r = new Rng(8);
    const n = 100_000;
    let sum = 0,
      sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      sum += x;
      sq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.012);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.015);
  });

  it('permutation is a permutation and every position is uniformly likely', () => {
    const r = new Rng(11);
    const first = new Array<number>(5).fill(0);
    for (let t = 0; t < 20_000; t++) {
      const p = r.permutation(5);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      first[p[0]!]!++;
    }
    const chi2 = first.reduce((a, c) => a + (c - 4000) ** 2 / 4000, 0);
    expect(chi2).toBeLessThan(18.47); // df = 4, p = 0.001
  });

  it('fork works for every seed (the forced-odd last word stays an unsigned 32-bit value)', () => {
    for (let seed = 0; seed < 2000; seed++) {
      const child = new Rng(seed).fork();
      const w = child.state().words;
      expect(w.every((x) => x >= 0 && x <= 0xffffffff)).toBe(true);
      expect(w[3]! % 2).toBe(1);
    }
  });
});
