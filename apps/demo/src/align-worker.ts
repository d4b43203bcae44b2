/**
 * Alignment worker: face-api's detector and landmark net (`@interpret-fr/align/web`, tfjs-wasm) off
 * the page's main thread. Answers `align` requests in order; the aligner is created on the first one.
 *
 * @module
 */
import type { FaceAligner } from '@interpret-fr/align';
import { createFaceAligner } from '@interpret-fr/align/web';
import { detectAndAlign } from './align-photo.ts';
import type { AlignRequest, AlignResponse } from './align-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

let aligner: Promise<FaceAligner> | null = null;
let chain: Promise<void> = Promise.resolve();

async function handle(req: AlignRequest): Promise<void> {
  try {
    aligner ??= createFaceAligner({ models: req.models, backend: 'wasm', wasmPaths: req.wasmPaths }).catch((e: unknown) => {
      aligner = null;
      throw new Error(`face detection could not start: ${(e as Error).message}`);
    });
    const a = await detectAndAlign(await aligner, req.pixels, req.choose);
    const transfer: Transferable[] = a.faces.map((f) => f.landmarks68.buffer as ArrayBuffer);
    if (a.aligned) transfer.push(a.aligned.pixels.data.buffer as ArrayBuffer, a.aligned.landmarks.buffer as ArrayBuffer);
    const msg: AlignResponse = { type: 'aligned', id: req.id, result: a };
    self.postMessage(msg, transfer);
  } catch (e) {
    const msg: AlignResponse = { type: 'error', id: req.id, message: (e as Error).message ?? String(e) };
    self.postMessage(msg);
  }
}

self.onmessage = (ev: MessageEvent<AlignRequest>) => {
  chain = chain.then(() => handle(ev.data));
};
