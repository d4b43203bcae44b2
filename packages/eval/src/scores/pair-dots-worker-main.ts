/**
 * Body of a pair-dots worker thread: waits on the pool's control words (Atomics), claims chunks of
 * the current job and runs the same wasm SIMD `pairDots` kernel as the main thread on them, writing
 * into the shared output. Buffers arrive on `workerData.port` (read synchronously when the control
 * word `BUFFERS` changes). Protocol: pair-dots-shared.ts.
 *
 * @module
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type PairDotsBuffers, runClaims, W } from './pair-dots-shared.ts';
import { simdKernels } from './simd.ts';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
const ctrl = new Int32Array(control);
const kernels = simdKernels();
let bufs: PairDotsBuffers | null = null;
let version = 0;
const refresh = (): PairDotsBuffers => {
  const want = Atomics.load(ctrl, W.BUFFERS);
  while (version !== want) {
    const m = receiveMessageOnPort(port);
    if (!m) throw new Error(`pair-dots worker: buffers version ${want} announced but not received`);
    const b = m.message as { version: number; F: SharedArrayBuffer; ia: SharedArrayBuffer; ib: SharedArrayBuffer; out: SharedArrayBuffer; d: number };
    bufs = { F: new Float32Array(b.F), ia: new Int32Array(b.ia), ib: new Int32Array(b.ib), out: new Float32Array(b.out), d: b.d };
    version = b.version;
  }
  return bufs!;
};
// Without WebAssembly SIMD this worker never claims a chunk (the other threads do the work).
if (kernels) {
  Atomics.add(ctrl, W.READY, 1);
  let gen = 0;
  for (;;) {
    Atomics.wait(ctrl, W.GEN, gen);
    gen = Atomics.load(ctrl, W.GEN);
    if (Atomics.load(ctrl, W.STOP)) break;
    Atomics.add(ctrl, W.WORKER_CHUNKS, runClaims(ctrl, kernels, refresh));
  }
}
port.close();
