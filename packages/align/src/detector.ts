/**
 * Face detection + 68 landmarks on face-api's pretrained networks (tfjs; the wasm backend in Node,
 * wasm or WebGL in the browser). The caller injects the face-api module (see `node.ts`/`web.ts`), so
 * this file is the same code path everywhere.
 *
 * Detection: face-api's TinyFaceDetector (input side {@link DetectOptions.inputSize}, default 160).
 * When it finds nothing, it retries on the image padded with black (faces that fill the frame, e.g.
 * LFW-a, are too large for it) with a score threshold of at most 0.3; when that also fails and
 * `fallback: 'center'` is set, the landmark net runs on centred boxes of a few sizes and keeps the
 * landmarks closest to a similarity image of the template (flagged `source: 'fallback'`).
 *
 * Landmarks: face-api's `face_landmark_68` net on a square crop around each box (the box made
 * square about its centre, zero outside the image, bilinear to 112×112), then one refinement pass
 * on the box re-derived from the landmarks (stabler points, and the same framing whatever found the
 * face). Points are iBUG-68 order, in the photo's pixel frame (pixel centres at integers).
 *
 * @module
 */
import { FRAME_SIZE, TEMPLATE_68, applySimilarityToPoints, checkPixels, similarityTransform, type Pixels } from '@interpret-fr/core';
import { faceApiModule } from './face-api-module.ts';
import type { Tensor, Tf } from './face-api-module.ts';
import type { FaceApi } from './face-api-types.ts';
import { loadModel, type ModelFileReader } from './models.ts';
import { FLIP_68 } from './faces.ts';

/** An axis-aligned box in pixels: top-left corner and size. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a face's box came from. */
export type FaceSource = 'detector' | 'padded' | 'fallback';

/** One detected face. */
export interface DetectedFace {
  /** The detector's box (for `fallback`, the assumed centred box). */
  box: FaceBox;
  /** Detector score in [0, 1] (0 for `fallback`). */
  score: number;
  /** 68 points (136 numbers, x,y interleaved, iBUG-68 order) in the photo's pixel frame. */
  landmarks68: Float32Array;
  /** `detector`: found on the image; `padded`: found after padding; `fallback`: assumed centred box. */
  source: FaceSource;
}

/** Options of {@link FaceAligner.detectFaces}. */
export interface DetectOptions {
  /** TinyFaceDetector input side, a multiple of 32 (default 160: fastest; 224–416 find smaller faces). */
  inputSize?: number;
  /** Minimum detector score (default 0.5). */
  minScore?: number;
  /** Keep at most this many faces, highest score first (default: all). */
  maxFaces?: number;
  /** Retry on the padded image when nothing is found (default true). */
  padRetry?: boolean;
  /** When nothing is found at all: `none` (default, no faces) or `center` (a centred box, flagged). */
  fallback?: 'none' | 'center';
  /** Landmark refinement passes on the landmark-derived box (default 1). */
  refine?: number;
  /** Average the landmark net over the crop and its mirror image (default true; costs a second crop per pass). */
  flipAverage?: boolean;
}

/** Options of {@link createFaceAligner}. */
export interface FaceAlignerOptions {
  /** `full` (face_landmark_68, default) or `tiny` (face_landmark_68_tiny: ~25 % faster, less precise). */
  landmarks?: 'full' | 'tiny';
  /** Also load the 128-d face_recognition net for {@link FaceAligner.describe} (default false). */
  descriptor?: boolean;
}

/** Detector, landmarks and (optionally) face-api's 128-d descriptor over one face-api module. */
export interface FaceAligner {
  /** Faces in a photo, highest score first. */
  detectFaces(pixels: Pixels, opts?: DetectOptions): Promise<DetectedFace[]>;
  /** 68 landmarks of the face inside `box` (photo frame); `refine` passes as in detectFaces. */
  landmarksInBox(pixels: Pixels, box: FaceBox, opts?: Pick<DetectOptions, 'refine' | 'flipAverage'>): Promise<Float32Array>;
  /**
   * face-api's 128-d descriptor (dlib ResNet; compared by Euclidean distance, same person ≲ 0.6) of
   * each aligned crop (template frame, any size), as rows of an `[N, 128]` Float32Array. The net sees
   * {@link DESCRIPTOR_WINDOW} of the crop (face-api's own framing) at 150×150; requires `descriptor: true`.
   */
  describe(crops: readonly Pixels[]): Promise<Float32Array>;
  /** The tfjs backend name face-api runs on. */
  readonly backend: string;
}

/** Descriptor length of face-api's recognition net. */
export const DESCRIPTOR_SIZE = 128;

/**
 * The window of the 110 template frame {@link FaceAligner.describe} feeds to face-api's recognition
 * net: face-api's own descriptor framing (`alignedRect`: the 68 landmarks' bounding box padded by
 * 20 %, padded to a square about its centre) applied to the template landmarks: the interval
 * [x, x + side] × [y, y + side] in the frame's pixel-centre coordinates (≈ 9.6–99.5 × 22.3–112.2;
 * the bottom 2 px lie below the 110 frame and are black).
 */
export const DESCRIPTOR_WINDOW: { x: number; y: number; side: number } = (() => {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x0 = Math.min(x0, TEMPLATE_68[2 * i]!);
    x1 = Math.max(x1, TEMPLATE_68[2 * i]!);
    y0 = Math.min(y0, TEMPLATE_68[2 * i + 1]!);
    y1 = Math.max(y1, TEMPLATE_68[2 * i + 1]!);
  }
  const side = 1.2 * Math.max(x1 - x0, y1 - y0);
  return { x: (x0 + x1) / 2 - side / 2, y: (y0 + y1) / 2 - side / 2, side };
})();
const LM_INPUT = 112;
const PAD_FRACTION = 0.25;
/** Score threshold of the padded retry (measured on 400 LFW-a images: 0.3 finds 399, 0.5 finds 397). */
const PAD_MIN_SCORE = 0.3;
/** Centre-fallback box sides as fractions of min(width, height) (LFW-a faces ≈ 0.5, ORL ≈ 0.9). */
export const FALLBACK_BOX_FRACTIONS: readonly number[] = [0.5, 0.7, 0.9];

/**
 * How far 68 landmarks are from a similarity image of the template: RMS residual of the
 * least-squares fit, in units of the template frame (110 px). Small (≈ 2–4) for a face, large for
 * landmarks scattered on a non-face.
 */
export function templateFitError(lm: ArrayLike<number>): number {
  const t = similarityTransform(lm, TEMPLATE_68);
  const p = applySimilarityToPoints(t, lm);
  let e = 0;
  for (let i = 0; i < 136; i++) e += (p[i]! - TEMPLATE_68[i]!) ** 2;
  return Math.sqrt(e / 68);
}

/**
 * Box the landmark net sees, re-derived from 68 landmarks: centred on the landmarks' bounding box
 * (shifted down by {@link REFINE_BOX.dy} of its height), side = {@link REFINE_BOX.scale} × its larger
 * side. Measured on TinyFaceDetector boxes of LFW-a (54 images: side 1.30 × the landmarks' larger
 * extent, centre 2 % of their height above theirs; `pnpm bench:align` prints the current ratio), so
 * the refined crop frames a face as the detector does.
 */
export const REFINE_BOX = { scale: 1.3, dy: -0.02 };

function rgbTensor(tf: Tf, p: Pixels): Tensor {
  const n = p.width * p.height;
  if (p.channels === 3) return tf.tensor3d(p.data instanceof Uint8Array ? p.data : new Uint8Array(p.data), [p.height, p.width, 3], 'int32');
  const rgb = new Uint8Array(n * 3);
  const c = p.channels;
  const d = p.data;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    if (c === 1) {
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = d[s]!;
    } else {
      rgb[3 * i] = d[s]!;
      rgb[3 * i + 1] = d[s + 1]!;
      rgb[3 * i + 2] = d[s + 2]!;
    }
  }
  return tf.tensor3d(rgb, [p.height, p.width, 3], 'int32');
}

/** Square box about a box's centre, side = max(width, height). */
function squareOf(b: FaceBox): FaceBox {
  const s = Math.max(b.width, b.height);
  return { x: b.x + b.width / 2 - s / 2, y: b.y + b.height / 2 - s / 2, width: s, height: s };
}

/** The box derived from landmarks (see {@link REFINE_BOX}). */
export function boxFromLandmarks(lm: ArrayLike<number>): FaceBox {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i + 1 < lm.length; i += 2) {
    x0 = Math.min(x0, lm[i]!);
    x1 = Math.max(x1, lm[i]!);
    y0 = Math.min(y0, lm[i + 1]!);
    y1 = Math.max(y1, lm[i + 1]!);
  }
  const side = REFINE_BOX.scale * Math.max(x1 - x0, y1 - y0);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2 + REFINE_BOX.dy * (y1 - y0);
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/**
 * Creates a {@link FaceAligner}: loads the detector and landmark nets (and the recognition net
 * when asked) from `readFile` into the given face-api module, whose tfjs backend must be ready.
 *
 * @example
 * const aligner = await createFaceAligner(faceapi, (name) => readFile(join(modelDir, name)));
 * const faces = await aligner.detectFaces(photo);
 */
export async function createFaceAligner(module: FaceApi, readFile: ModelFileReader, opts: FaceAlignerOptions = {}): Promise<FaceAligner> {
  const faceapi = faceApiModule(module);
  const tf = faceapi.tf;
  const tiny = opts.landmarks === 'tiny';
  await loadModel(faceapi, 'tiny_face_detector_model', readFile);
  await loadModel(faceapi, tiny ? 'face_landmark_68_tiny_model' : 'face_landmark_68_model', readFile);
  if (opts.descriptor) await loadModel(faceapi, 'face_recognition_model', readFile);
  const lmNet = tiny ? faceapi.nets.faceLandmark68TinyNet : faceapi.nets.faceLandmark68Net;

  /** Landmarks for square boxes on one image tensor, one batched forward. */
  async function landmarksForBoxes(img: Tensor, W: number, H: number, boxes: FaceBox[], flip: boolean): Promise<Float32Array[]> {
    if (boxes.length === 0) return [];
    const sq = boxes.map(squareOf);
    const crops = tf.tidy(() => {
      // cropAndResize samples output i at y1·(H−1) + i·(y2−y1)(H−1)/(S−1); choose y1, y2 so that
      // this is the half-pixel grid of the square [x, x + side): x + (i + 0.5)·side/S − 0.5.
      const rows = sq.map((b) => {
        const st = b.width / LM_INPUT;
        const ax = b.x + 0.5 * st - 0.5,
          bx = b.x + (LM_INPUT - 0.5) * st - 0.5;
        const ay = b.y + 0.5 * st - 0.5,
          by = b.y + (LM_INPUT - 0.5) * st - 0.5;
        return [ay / Math.max(H - 1, 1), ax / Math.max(W - 1, 1), by / Math.max(H - 1, 1), bx / Math.max(W - 1, 1)];
      });
      const batch = tf.image.cropAndResize(
        tf.expandDims(tf.cast(img, 'float32'), 0) as Parameters<Tf['image']['cropAndResize']>[0],
        tf.tensor2d(rows, [rows.length, 4]),
        tf.tensor1d(
          sq.map(() => 0),
          'int32',
        ),
        [LM_INPUT, LM_INPUT],
        'bilinear',
        0,
      );
      // flip test-time augmentation: the mirrored crops follow, mapped back below
      return tf.unstack(flip ? tf.concat([batch, tf.image.flipLeftRight(batch as never)], 0) : batch);
    });
    // face-api's forward on 112×112 inputs: no padding or resize inside, output relative to the crop
    const out = await (lmNet as unknown as { forward(x: unknown): Promise<Tensor> }).forward(crops);
    crops.forEach((c) => c.dispose());
    const v = (await out.data()) as Float32Array;
    out.dispose();
    const n = sq.length;
    return sq.map((b, k) => {
      const lm = new Float32Array(136);
      // net output: relative positions in the square crop (0..1 over its full extent); the mirrored
      // crop's point FLIP_68[i] at u is point i at 1 − u
      for (let i = 0; i < 68; i++) {
        let u = v[k * 136 + 2 * i]!;
        let w = v[k * 136 + 2 * i + 1]!;
        if (flip) {
          const j = FLIP_68[i]!;
          u = 0.5 * (u + 1 - v[(n + k) * 136 + 2 * j]!);
          w = 0.5 * (w + v[(n + k) * 136 + 2 * j + 1]!);
        }
        lm[2 * i] = b.x + u * b.width - 0.5;
        lm[2 * i + 1] = b.y + w * b.height - 0.5;
      }
      return lm;
    });
  }

  async function refineAll(img: Tensor, W: number, H: number, boxes: FaceBox[], passes: number, flip: boolean): Promise<Float32Array[]> {
    let lms = await landmarksForBoxes(img, W, H, boxes, flip);
    for (let r = 0; r < passes; r++) lms = await landmarksForBoxes(img, W, H, lms.map(boxFromLandmarks), flip);
    return lms;
  }

  async function locate(img: Tensor, inputSize: number, minScore: number): Promise<{ box: FaceBox; score: number }[]> {
    const dets = await faceapi.nets.tinyFaceDetector.locateFaces(img as never, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }));
    return dets.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
  }

  return {
    get backend() {
      return (tf as unknown as { getBackend(): string }).getBackend();
    },
    async detectFaces(pixels, o = {}) {
      checkPixels(pixels, 'detectFaces pixels');
      const inputSize = o.inputSize ?? 160;
      if (!Number.isInteger(inputSize) || inputSize % 32 !== 0 || inputSize < 64)
        throw new RangeError(`detectFaces: inputSize must be a multiple of 32 ≥ 64, got ${String(inputSize)}`);
      const minScore = o.minScore ?? 0.5;
      const refine = o.refine ?? 1;
      const W = pixels.width,
        H = pixels.height;
      const img = rgbTensor(tf, pixels);
      try {
        let found = (await locate(img, inputSize, minScore)).map((f) => ({ ...f, source: 'detector' as FaceSource }));
        if (found.length === 0 && (o.padRetry ?? true)) {
          const p = Math.round(PAD_FRACTION * Math.max(W, H));
          const padded = tf.pad(img, [
            [p, p],
            [p, p],
            [0, 0],
          ]);
          try {
            found = (await locate(padded, inputSize, Math.min(minScore, PAD_MIN_SCORE))).map((f) => ({
              box: { ...f.box, x: f.box.x - p, y: f.box.y - p },
              score: f.score,
              source: 'padded' as FaceSource,
            }));
          } finally {
            padded.dispose();
          }
        }
        const flip = o.flipAverage ?? true;
        if (found.length === 0 && o.fallback === 'center') {
          // centred boxes of several sizes, each refined; keep the most face-like landmarks
          const boxes = FALLBACK_BOX_FRACTIONS.map((f) => {
            const s = f * Math.min(W, H);
            return { x: (W - s) / 2, y: (H - s) / 2, width: s, height: s };
          });
          const lms = await refineAll(img, W, H, boxes, Math.max(refine, 2), flip);
          let best = 0;
          const fits = lms.map(templateFitError);
          fits.forEach((e, k) => {
            if (e < fits[best]!) best = k;
          });
          return [{ box: boxes[best]!, score: 0, landmarks68: lms[best]!, source: 'fallback' }];
        }
        found.sort((a, b) => b.score - a.score);
        if (o.maxFaces !== undefined) found = found.slice(0, o.maxFaces);
        const lms = await refineAll(
          img,
          W,
          H,
          found.map((f) => f.box),
          refine,
          flip,
        );
        return found.map((f, i) => ({ box: f.box, score: f.score, landmarks68: lms[i]!, source: f.source }));
      } finally {
        img.dispose();
      }
    },
    async landmarksInBox(pixels, box, lo = {}) {
      checkPixels(pixels, 'landmarksInBox pixels');
      const img = rgbTensor(tf, pixels);
      try {
        return (await refineAll(img, pixels.width, pixels.height, [box], lo.refine ?? 1, lo.flipAverage ?? true))[0]!;
      } finally {
        img.dispose();
      }
    },
    async describe(crops) {
      if (!opts.descriptor) throw new Error('describe: create the aligner with { descriptor: true } to load face_recognition_model');
      const out = new Float32Array(crops.length * DESCRIPTOR_SIZE);
      for (let i = 0; i < crops.length; i++) {
        checkPixels(crops[i]!, `describe crop ${i}`);
        const c = crops[i]!;
        const img = rgbTensor(tf, c);
        try {
          // face-api's own framing (its `alignedRect`) expressed in the template frame: the landmarks'
          // bounding box padded by 20 %, made square about its centre, zero outside, bilinear to 150
          const w = DESCRIPTOR_WINDOW;
          const sx = c.width / FRAME_SIZE,
            sy = c.height / FRAME_SIZE;
          const st = w.side / 150;
          const box = [
            ((w.y + 0.5 * st + 0.5) * sy - 0.5) / Math.max(c.height - 1, 1),
            ((w.x + 0.5 * st + 0.5) * sx - 0.5) / Math.max(c.width - 1, 1),
            ((w.y + (150 - 0.5) * st + 0.5) * sy - 0.5) / Math.max(c.height - 1, 1),
            ((w.x + (150 - 0.5) * st + 0.5) * sx - 0.5) / Math.max(c.width - 1, 1),
          ];
          const t: Tensor = tf.tidy(
            () =>
              tf.reshape(
                tf.image.cropAndResize(tf.expandDims(tf.cast(img, 'float32'), 0) as never, tf.tensor2d([box], [1, 4]), tf.tensor1d([0], 'int32'), [150, 150], 'bilinear', 0),
                [150, 150, 3],
              ) as unknown as Tensor,
          );
          const d = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t as never)) as Float32Array;
          t.dispose();
          out.set(d, i * DESCRIPTOR_SIZE);
        } finally {
          img.dispose();
        }
      }
      return out;
    },
  };
}
