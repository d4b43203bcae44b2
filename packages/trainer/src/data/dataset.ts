/**
 * The generic batcher behind every reader: permutation (re-drawn every epoch, or one fixed permutation
 * as in the original), random crops with landmarks moved along, in-memory cache of decoded images for
 * small sets, corrupt images skipped and reported, the last partial batch dropped, the next batch
 * prefetched while the current one trains, and a saveable position for exact resume.
 *
 * @module
 */
import { Rng, preprocess } from '@interpret-fr/core';
import type { FaceFrame } from '../occlusion.ts';
import type { Batch, DataPosition, DataWarning, Dataset, DatasetInfo, ImageSource, SourceImage } from './types.ts';

/** Batching options. */
export interface BatchOptions {
  batchSize: number;
  /** Network input side (96 for the full presets, 48 for tiny). */
  inputSize: number;
  /** Side of the stored/decoded images (110). */
  sourceSize?: number;
  /** Crop side taken from the source before any downscale (96). */
  cropSize?: number;
  /** `'random'`: offsets uniform in {0..source−crop} (training); `'center'`: the middle. */
  crop?: 'random' | 'center';
  /** `'shuffle'` re-draws the permutation every epoch (default); `'fixed'` reuses one (the original). */
  order?: 'shuffle' | 'fixed';
  seed: number;
  numClasses: number;
  /** Keep decoded images in memory when the set is smaller than this (bytes; default 2 GB). */
  cacheBytes?: number;
  onWarning?: (w: DataWarning) => void;
}

/** Wraps an {@link ImageSource} as a {@link Dataset}. */
export function createDataset(source: ImageSource, opts: BatchOptions): Dataset {
  return new SourceDataset(source, opts);
}

class SourceDataset implements Dataset {
  readonly size: number;
  readonly numClasses: number;
  private readonly S: number;
  private readonly C: number;
  private readonly cache: (SourceImage | undefined)[] | null;
  private readonly bad = new Set<number>();
  private skippedCount = 0;
  private permCache: { key: string; perm: Uint32Array } | null = null;

  constructor(
    private readonly src: ImageSource,
    private readonly o: BatchOptions,
  ) {
    this.size = src.count;
    this.numClasses = o.numClasses;
    this.S = o.sourceSize ?? 110;
    this.C = o.cropSize ?? 96;
    if (this.C > this.S) throw new RangeError(`crop ${this.C} is larger than the source ${this.S}`);
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, got ${o.batchSize}`);
    if (src.count < o.batchSize) throw new RangeError(`${src.path}: ${src.count} images, fewer than one batch of ${o.batchSize}`);
    this.cache = src.count * this.S * this.S * 3 < (o.cacheBytes ?? 2 ** 31) ? new Array(src.count) : null;
  }

  get skipped(): number {
    return this.skippedCount;
  }

  describe(): DatasetInfo {
    let withLandmarks = 0;
    if (this.src.hasLandmarks) for (const v of this.src.hasLandmarks) withLandmarks += v;
    return {
      kind: this.src.kind,
      path: this.src.path,
      images: this.size,
      numClasses: this.numClasses,
      withLandmarks,
      batchSize: this.o.batchSize,
      batchesPerEpoch: Math.floor(this.size / this.o.batchSize),
      inputSize: this.o.inputSize,
      order: this.o.order ?? 'shuffle',
    };
  }

  initialPosition(): DataPosition {
    const root = new Rng(this.o.seed);
    const permRng = root.fork();
    const cropRng = root.fork();
    return { epoch: 0, index: 0, permRng: permRng.state(), cropRng: cropRng.state() };
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.batches()[Symbol.asyncIterator]();
  }

  batches(from?: DataPosition): AsyncIterable<Batch> {
    const start = from ?? this.initialPosition();
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let pending = self.produce(start);
        pending.catch(() => undefined);
        for (;;) {
          const b = await pending;
          pending = self.produce(b.position);
          pending.catch(() => undefined);
          yield b;
        }
      },
    };
  }

  private permutation(pos: DataPosition): Uint32Array {
    const key = JSON.stringify(pos.permRng);
    if (this.permCache?.key === key) return this.permCache.perm;
    const perm = new Rng(0).setState(pos.permRng).permutation(this.size);
    this.permCache = { key, perm };
    return perm;
  }

  /** The next epoch's position: a new permutation state unless the order is fixed. */
  private nextEpoch(pos: DataPosition): DataPosition {
    let permRng = pos.permRng;
    if ((this.o.order ?? 'shuffle') === 'shuffle') {
      const r = new Rng(0).setState(pos.permRng);
      r.permutation(this.size);
      permRng = r.state();
    }
    return { epoch: pos.epoch + 1, index: 0, permRng, cropRng: pos.cropRng };
  }

  private async load(i: number): Promise<SourceImage | null> {
    const hit = this.cache?.[i];
    if (hit) return hit;
    try {
      const img = await this.src.read(i, this.S);
      if (this.cache) this.cache[i] = img;
      return img;
    } catch (e) {
      this.bad.add(i);
      this.skippedCount++;
      this.o.onWarning?.({ path: this.src.name(i), reason: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  private async produce(from: DataPosition): Promise<Batch> {
    const B = this.o.batchSize;
    let pos = from.index + B > this.size ? this.nextEpoch(from) : { ...from };
    const epoch = pos.epoch;
    const got: { i: number; img: SourceImage }[] = [];
    let guard = 0;
    while (got.length < B) {
      if (pos.index >= this.size) pos = this.nextEpoch(pos);
      const perm = this.permutation(pos);
      const want: number[] = [];
      while (want.length < B - got.length && pos.index < this.size) {
        const i = perm[pos.index++]!;
        if (!this.bad.has(i)) want.push(i);
      }
      const imgs = await Promise.all(want.map((i) => this.load(i)));
      imgs.forEach((img, k) => {
        if (img) got.push({ i: want[k]!, img });
      });
      if (++guard > 4 && got.length === 0 && this.bad.size >= this.size) throw new Error(`${this.src.path}: no readable image (${this.bad.size} skipped)`);
    }
    const cropRng = new Rng(0).setState(pos.cropRng);
    const n = B;
    const out = this.o.inputSize;
    const x = new Float32Array(n * out * out * 3);
    const labels = new Int32Array(n);
    const indices = new Uint32Array(n);
    const faces: FaceFrame[] = [];
    const span = this.S - this.C;
    const scale = out / this.C;
    got.forEach(({ i, img }, b) => {
      const random = (this.o.crop ?? 'random') === 'random';
      const ox = random ? cropRng.int(span + 1) : Math.floor(span / 2);
      const oy = random ? cropRng.int(span + 1) : Math.floor(span / 2);
      // The one pixels → model-input function (core), so the recognizer's input for this image and crop is the same floats.
      preprocess({ data: img.pixels, width: this.S, height: this.S, channels: 3 }, x, { layout: 'NHWC', size: out, crop: this.C, x: ox, y: oy, offset: b * out * out * 3 });
      labels[b] = this.src.labels[i]!;
      indices[b] = i;
      let lm: Float32Array | null = null;
      if (this.src.landmarks && (!this.src.hasLandmarks || this.src.hasLandmarks[i])) {
        lm = this.src.landmarks.slice(i * 136, i * 136 + 136);
        const sx = this.S / img.width;
        const sy = this.S / img.height;
        if (sx !== 1 || sy !== 1)
          for (let k = 0; k < 136; k += 2) {
            lm[k] = (lm[k]! + 0.5) * sx - 0.5;
            lm[k + 1] = (lm[k + 1]! + 0.5) * sy - 0.5;
          }
      }
      faces.push({ landmarks: lm, offsetX: ox, offsetY: oy, scale });
    });
    return { n, size: out, x, labels, faces, indices, epoch, position: { ...pos, cropRng: cropRng.state() } };
  }
}
