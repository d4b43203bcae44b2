/**
 * Seeded PRNG used by every random choice in the project: xoshiro128** over 32-bit integer
 * arithmetic (`Math.imul`, `>>>`), so Node and browsers produce the same sequence.
 * The state is four uint32 words and can be saved and restored exactly (for resumable runs).
 *
 * @module
 */

/** Serializable RNG state: four uint32 words plus the cached second normal deviate. */
export interface RngState {
  words: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded random number generator.
 *
 * @example
 * const rng = new Rng(42);
 * rng.int(15);      // uniform in {0, …, 14}
 * rng.float();      // uniform in [0, 1)
 * const saved = rng.state(); rng.float(); new Rng(0).setState(saved); // replays
 */
export class Rng {
  private s: Uint32Array = new Uint32Array(4);
  private spare: number | null = null;

  /** Seeds from any integer (hashed with splitmix32; seed 0 is fine). */
  constructor(seed: number) {
    const sm = splitmix32(seed);
    for (let i = 0; i < 4; i++) this.s[i] = sm();
  }

  /** Next uint32. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in {0, …, n − 1} (unbiased, by rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Rng.int: expected an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Normal truncated to ±2σ by redrawing (TF's `truncated_normal`). */
  truncatedNormal(std: number): number {
    for (;;) {
      const x = this.normal();
      if (Math.abs(x) <= 2) return x * std;
    }
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of {0, …, n − 1}. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** An independent generator derived from this one (advances this one by 4 draws). */
  fork(): Rng {
    const r = new Rng(0);
    r.setState({ words: [this.nextU32(), this.nextU32(), this.nextU32(), (this.nextU32() | 1) >>> 0], spare: null });
    return r;
  }

  /** The exact state, to save (JSON-serialisable). */
  state(): RngState {
    return { words: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  /** Restores a state from {@link Rng.state}. */
  setState(st: RngState): this {
    const w = st?.words;
    if (!Array.isArray(w) || w.length !== 4 || w.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw new Error(`Rng.setState: expected {words: four uint32, spare}, got ${JSON.stringify(st)}`);
    }
    if (w.every((x) => x === 0)) throw new Error('Rng.setState: the all-zero state is invalid');
    if (st.spare !== null && typeof st.spare !== 'number') throw new Error('Rng.setState: spare must be a number or null');
    this.s.set(w);
    this.spare = st.spare;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
