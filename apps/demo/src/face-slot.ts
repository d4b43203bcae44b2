/**
 * One face (A or B): its image, crop box, occluder, the model input and the analyses of the input with
 * and without the occluder. Analysis requests are coalesced: while one is running, later changes only
 * mark the slot dirty, and one more request with the latest state follows.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import { findPeaks } from '@interpret-fr/core';
import { clampCrop, defaultCrop } from './logic/crop.ts';
import type { CropBox } from './logic/crop.ts';
import { modelInput } from './logic/model-input.ts';
import { alignedModelInput, cropBoxFromAlignment } from './logic/aligned-input.ts';
import type { PhotoAlignment } from './auto-align.ts';
import { applyOcclusion } from './logic/occlusion.ts';
import type { Rect } from './logic/occlusion.ts';
import type { LoadedImage } from './ui/image-source.ts';
import type { AnalyzeResult, InferenceClient } from './worker-client.ts';

/** Model outputs for one image. */
export interface Analysis {
  embedding: Float32Array;
  /** `[C, H, W]` maps or null. */
  maps: Float32Array | null;
  mapDims: [number, number, number] | null;
  /** Positive peak per filter in model pixels (NaN when the filter never fires positively). */
  peakRow: Float32Array | null;
  peakCol: Float32Array | null;
}

/** What a slot needs from the page. */
export interface SlotHost {
  client: InferenceClient;
  /** Model input side, or null while no model is loaded. */
  modelSize(): number | null;
  onAnalysis(slot: FaceSlot): void;
  onError(e: unknown): void;
}

function analysisOf(r: AnalyzeResult, k: number, size: number): Analysis {
  const D = r.dim;
  const embedding = r.embeddings.subarray(k * D, (k + 1) * D);
  if (!r.maps || !r.mapDims) return { embedding, maps: null, mapDims: null, peakRow: null, peakCol: null };
  const [C, H, W] = r.mapDims;
  const maps = r.maps.subarray(k * C * H * W, (k + 1) * C * H * W);
  const p = findPeaks({ data: maps, n: 1, channels: C, height: H, width: W }, size, 'center');
  return { embedding, maps, mapDims: r.mapDims, peakRow: p.positive.row, peakCol: p.positive.col };
}

/**
 * Where the model input comes from: `aligned` (the detected face on the template, centre 96),
 * `manual` (the crop box), or `detecting` (waiting for the detector: nothing is analysed yet).
 */
export type CropMode = 'aligned' | 'manual' | 'detecting';

/** State and scheduling of one face. */
export class FaceSlot {
  image: LoadedImage | null = null;
  crop: CropBox = { x: 0, y: 0, size: 1 };
  mode: CropMode = 'manual';
  /** The latest detection of the current image (null: none ran, or it failed). */
  alignment: PhotoAlignment | null = null;
  occlusion: Rect | null = null;
  /** Model input without the occluder, and with it (what is shown and compared). */
  input: Pixels | null = null;
  shown: Pixels | null = null;
  base: Analysis | null = null;
  current: Analysis | null = null;
  /** Worker-side time of the latest inference (ms). */
  lastAnalyzeMs = 0;
  private inputVersion = 0;
  private occVersion = 0;
  private baseVersion = -1;
  private currentKey = '';
  private busy = false;
  private dirty = false;

  constructor(
    readonly label: 'A' | 'B',
    private readonly host: SlotHost,
  ) {}

  /** True when `current` belongs to the present input and occluder. */
  get fresh(): boolean {
    return this.current !== null && this.currentKey === `${this.inputVersion}/${this.occVersion}`;
  }

  /** New picture: default crop, no occluder; with `detect`, nothing is analysed until {@link setAlignment}. */
  setImage(image: LoadedImage, detect = false): void {
    this.image?.bitmap.close();
    this.image = image;
    this.crop = defaultCrop(image.pixels.width, image.pixels.height);
    this.occlusion = null;
    this.alignment = null;
    this.mode = detect ? 'detecting' : 'manual';
    this.recompute();
  }

  /**
   * The detector's result for the current image: the aligned face becomes the model input, or,
   * when no face was found (or `null`: detection failed), the manual crop box.
   */
  setAlignment(a: PhotoAlignment | null): void {
    if (!this.image) return;
    this.alignment = a;
    this.mode = a?.aligned ? 'aligned' : 'manual';
    this.recompute();
  }

  /** The crop box the manual controls start from: the square closest to the aligned window in aligned mode, else the crop box. */
  get manualCrop(): CropBox {
    const a = this.mode === 'aligned' ? this.alignment?.aligned : null;
    return a && this.image ? cropBoxFromAlignment(a.transform, this.image.pixels.width, this.image.pixels.height) : this.crop;
  }

  /**
   * Switches between the aligned face and the crop box. Going manual starts from the square closest
   * to the aligned window (unless `keepCrop`); going back to `aligned` needs a found face.
   */
  setMode(mode: 'aligned' | 'manual', keepCrop = false): void {
    if (!this.image || mode === this.mode) return;
    if (mode === 'aligned' && !this.alignment?.aligned) return;
    if (mode === 'manual' && !keepCrop) this.crop = this.manualCrop;
    this.mode = mode;
    this.recompute();
  }

  /** A new crop box (switches to the manual crop). */
  setCrop(box: CropBox): void {
    if (!this.image) return;
    const next = clampCrop(box, this.image.pixels.width, this.image.pixels.height);
    if (next.x === this.crop.x && next.y === this.crop.y && next.size === this.crop.size && this.mode === 'manual') return;
    this.crop = next;
    this.mode = 'manual';
    this.recompute();
  }

  setOcclusion(rect: Rect | null): void {
    const same =
      rect === this.occlusion ||
      (!!rect && !!this.occlusion && rect.x === this.occlusion.x && rect.y === this.occlusion.y && rect.width === this.occlusion.width && rect.height === this.occlusion.height);
    if (same) return;
    this.occlusion = rect;
    this.occVersion++;
    this.shown = this.input ? applyOcclusion(this.input, rect) : null;
    void this.schedule();
  }

  /** Rebuilds the model input (new image, crop or model) and re-analyses. */
  recompute(): void {
    const S = this.host.modelSize();
    this.inputVersion++;
    if (!this.image || S === null || this.mode === 'detecting') {
      this.input = this.shown = null;
      return;
    }
    const aligned = this.mode === 'aligned' ? this.alignment?.aligned : null;
    this.input = aligned ? alignedModelInput(aligned.pixels, S) : modelInput(this.image.pixels, this.crop, S);
    this.shown = this.occlusion ? applyOcclusion(this.input, this.occlusion) : this.input;
    void this.schedule();
  }

  private async schedule(): Promise<void> {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.dirty = false;
        const S = this.host.modelSize();
        const input = this.input,
          shown = this.shown,
          occluded = this.occlusion !== null;
        const iv = this.inputVersion,
          key = `${this.inputVersion}/${this.occVersion}`;
        if (!input || !shown || S === null) break;
        const needBase = this.baseVersion !== iv;
        if (!needBase && !occluded) {
          this.current = this.base;
        } else {
          const images = needBase ? (occluded ? [input, shown] : [input]) : [shown];
          const r = await this.host.client.analyze(images);
          this.lastAnalyzeMs = r.ms;
          if (needBase) {
            this.base = analysisOf(r, 0, S);
            this.baseVersion = iv;
            this.current = occluded ? analysisOf(r, 1, S) : this.base;
          } else this.current = analysisOf(r, 0, S);
        }
        this.currentKey = key;
        this.host.onAnalysis(this);
      } while (this.dirty);
    } catch (e) {
      this.host.onError(e);
    } finally {
      this.busy = false;
    }
  }

  /** Forgets analyses (after a model change) and recomputes. */
  reset(): void {
    this.base = this.current = null;
    this.baseVersion = -1;
    this.recompute();
  }
}
