/**
 * Body of a prepare worker thread: one face-api aligner, tasks `{ id, item, i }` in,
 * `{ type: 'result', id, result }` out (a bad image is a failed result, never a crash).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFaceAligner } from './node.ts';
import { prepareImage, type PrepareImageOptions } from './prepare-image.ts';
import type { PrepareItem } from './prepare-list.ts';

const { outDir, options, landmarks } = workerData as { outDir: string; options: PrepareImageOptions; landmarks: 'full' | 'tiny' };
const port = parentPort!;
try {
  const aligner = await createFaceAligner({ landmarks });
  port.on('message', (m: { type: string; id: number; item: PrepareItem; i: number }) => {
    if (m.type !== 'task') return;
    prepareImage(aligner, m.item, m.i, outDir, options).then(
      (result) => port.postMessage({ type: 'result', id: m.id, result }),
      (e: Error) => port.postMessage({ type: 'result', id: m.id, result: { i: m.i, status: 'failed', reason: `${m.item.path}: ${e.message}` } }),
    );
  });
  port.postMessage({ type: 'ready' });
} catch (e) {
  port.postMessage({ type: 'init-error', message: (e as Error).message });
}
