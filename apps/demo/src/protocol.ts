/**
 * Messages between the page and the inference worker (structured-clone friendly; typed arrays are
 * transferred).
 *
 * @module
 */

/** 8-bit image as sent to the worker. */
export interface WirePixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Page → worker. */
export type WorkerRequest =
  | {
      type: 'load';
      id: number;
      bytes: ArrayBuffer;
      name: string;
      webgpu: boolean;
      /** Absolute URL prefix of ORT's files, on the page's origin. */
      wasmPaths: string;
    }
  | { type: 'analyze'; id: number; images: WirePixels[] };

/** What the page needs to know about the loaded model. */
export interface ModelSummary {
  name: string;
  /** Input side S. */
  size: number;
  /** Embedding dim D. */
  dim: number;
  /** `[C, H, W]` of the maps output, or null when the model has none. */
  mapDims: [number, number, number] | null;
  provider: 'wasm' | 'webgpu';
  specName: string | null;
  loadMs: number;
}

/** Worker → page. */
export type WorkerResponse =
  | { type: 'loaded'; id: number; model: ModelSummary; notes: string[] }
  | {
      type: 'analyzed';
      id: number;
      n: number;
      /** n × D raw embeddings. */
      embeddings: Float32Array;
      /** n × C × H × W maps, or null when the model has no maps output. */
      maps: Float32Array | null;
      dim: number;
      mapDims: [number, number, number] | null;
      ms: number;
    }
  | { type: 'error'; id: number; kind: 'model' | 'input' | 'runtime'; message: string };
