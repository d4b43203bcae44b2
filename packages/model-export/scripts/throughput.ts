/**
 * Throughput measurement of ONNX sessions on one runtime, interleaving the models so that load
 * from other processes affects them alike (ratios measured in one run are what we report).
 *
 * @module
 */

/**
 * A model under test: a name and a function running it on one input tensor, e.g.
 * `(t) => session.run({ image: t }, ['embedding'])` (onnxruntime-node or -web).
 */
export interface BenchModel {
  name: string;
  run: (input: unknown) => Promise<unknown>;
}

/** Options of {@link measureThroughput}. */
export interface ThroughputOptions {
  batches: number[];
  /** Input side (96). */
  size: number;
  /** Rounds per batch size; each round times every model once, in rotating order. */
  rounds?: number;
  /** Minimum images per timed sample (runs are repeated until reached). */
  minImages?: number;
  /** Makes a [n,3,size,size] float32 tensor for the runtime (e.g. `new ort.Tensor(...)`). */
  makeTensor: (data: Float32Array, dims: number[]) => unknown;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
}

/** One measured row. */
export interface ThroughputRow {
  model: string;
  batch: number;
  /** Median over rounds of images/s. */
  imagesPerSecond: number;
  /** All rounds' images/s. */
  samples: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Measures images/s of every model at every batch size: one warm-up run per model and batch, then
 * `rounds` rounds in which each model (rotating the order) runs until `minImages` images are done.
 */
export async function measureThroughput(models: BenchModel[], o: ThroughputOptions): Promise<ThroughputRow[]> {
  const now = o.now ?? (() => performance.now());
  const rounds = o.rounds ?? 5;
  const rows: ThroughputRow[] = [];
  for (const batch of o.batches) {
    const data = new Float32Array(batch * 3 * o.size * o.size);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 0.9;
    const tensor = o.makeTensor(data, [batch, 3, o.size, o.size]);
    const samples = models.map(() => [] as number[]);
    for (const m of models) await m.run(tensor);
    const reps = Math.max(1, Math.ceil((o.minImages ?? 32) / batch));
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < models.length; j++) {
        const idx = (j + r) % models.length;
        const m = models[idx]!;
        const t0 = now();
        for (let k = 0; k < reps; k++) await m.run(tensor);
        samples[idx]!.push((reps * batch * 1000) / (now() - t0));
      }
    }
    models.forEach((m, i) => rows.push({ model: m.name, batch, imagesPerSecond: median(samples[i]!), samples: samples[i]! }));
  }
  return rows;
}
