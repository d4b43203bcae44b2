/**
 * Automatic face detection and alignment of a picked photo: the page side of the alignment worker
 * (`align-worker.ts`: face-api's TinyFaceDetector + 68-landmark net on tfjs's WebAssembly backend,
 * `@interpret-fr/align/web`), so the page stays responsive while the networks run.
 *
 * The networks and tfjs's `.wasm` come from the app's own origin (`models/face-api/`, `tfjs-wasm/`,
 * copied from the npm packages by `vite.config.ts`); the worker starts on the first photo, so a page
 * that never aligns never loads them.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import { alignChosen } from './align-photo.ts';
import type { PhotoAlignment } from './align-photo.ts';
import type { AlignRequest, AlignResponse } from './align-protocol.ts';

export type { PhotoAlignment } from './align-photo.ts';

type Pending = { resolve: (r: PhotoAlignment) => void; reject: (e: Error) => void };

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function startWorker(): Worker {
  const w = new Worker(new URL('./align-worker.ts', import.meta.url), { type: 'module', name: 'align' });
  w.onmessage = (ev: MessageEvent<AlignResponse>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    pending.delete(ev.data.id);
    if (ev.data.type === 'error') p.reject(new Error(ev.data.message));
    else p.resolve(ev.data.result);
  };
  w.onerror = (ev) => {
    ev.preventDefault();
    const err = new Error(`face detection worker failed: ${ev.message || 'unknown error'}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    w.terminate();
    worker = null;
  };
  return w;
}

/**
 * Detects the faces of a photo in the worker, chooses one (`chooseFace`, or `choose` when given and
 * valid) and aligns it. The page keeps its pixels (a copy is sent).
 */
export function alignPhoto(pixels: Pixels, choose?: number): Promise<PhotoAlignment> {
  worker ??= startWorker();
  const base = document.baseURI;
  const copy = { data: new Uint8Array(pixels.data), width: pixels.width, height: pixels.height, channels: pixels.channels };
  const req: AlignRequest = {
    type: 'align',
    id: nextId++,
    pixels: copy,
    ...(choose !== undefined ? { choose } : {}),
    models: new URL('models/face-api/', base).href,
    wasmPaths: new URL('tfjs-wasm/', base).href,
  };
  const w = worker;
  return new Promise((resolve, reject) => {
    pending.set(req.id, { resolve, reject });
    w.postMessage(req, [copy.data.buffer]);
  });
}

/** Re-aligns an existing detection on another of its faces (no second detection; in the page). */
export function chooseAlignedFace(pixels: Pixels, prev: PhotoAlignment, index: number): PhotoAlignment {
  if (index < 0 || index >= prev.faces.length) return prev;
  const t = performance.now();
  const aligned = alignChosen(pixels, prev.faces[index]!);
  return { ...prev, chosen: index, aligned, alignMs: performance.now() - t };
}
