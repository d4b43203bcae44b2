// Browser (Vite, no config): an embedding with onnxruntime-web. ORT's .wasm/.mjs files are served
// from the app's own origin: here copied into public/ort/ (see the README), passed as wasmPaths.
import { embeddingRow } from '@interpret-fr/core';
import { createRecognizer } from '@interpret-fr/inference/web';

const out = document.getElementById('out');
async function run() {
  const model = new Uint8Array(await (await fetch('./model.onnx')).arrayBuffer());
  const face = await (await fetch('./face.json')).json();
  const pixels = { data: Uint8Array.from(atob(face.pixelsBase64), (c) => c.charCodeAt(0)), width: face.width, height: face.height, channels: face.channels };
  const rec = await createRecognizer(model, { wasmPaths: new URL('./ort/', location.href).href, numThreads: 1 });
  const e = await rec.embed([pixels]);
  return JSON.stringify(Array.from(embeddingRow(e, 0)));
}
run()
  .then(
    (text) => {
      out.textContent = text;
    },
    (e) => {
      out.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
    },
  )
  .finally(() => {
    out.dataset.done = '1';
  });
