// Node server (ESM): an embedding with onnxruntime-node. `node embed.mjs model.onnx face.json`
// where face.json is { width, height, channels, pixelsBase64 } (8-bit, row-major, interleaved).
import { readFileSync } from 'node:fs';
import { embeddingRow } from '@interpret-fr/core';
import { createRecognizer } from '@interpret-fr/inference/node';

const [modelPath, facePath] = process.argv.slice(2);
const face = JSON.parse(readFileSync(facePath, 'utf8'));
const pixels = { data: new Uint8Array(Buffer.from(face.pixelsBase64, 'base64')), width: face.width, height: face.height, channels: face.channels };

const rec = await createRecognizer(modelPath); // CPU; { executionProviders: ['cuda'] } on a GPU server
const e = await rec.embed([pixels]); // Embeddings: { data: Float32Array, n, dim }
console.log(JSON.stringify(Array.from(embeddingRow(e, 0))));
await rec.dispose();
