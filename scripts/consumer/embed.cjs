// Node server (CommonJS): the same with require() (Node >= 20.19 loads the ESM packages synchronously).
const { readFileSync } = require('node:fs');
const { embeddingRow } = require('@interpret-fr/core');
const { createRecognizer } = require('@interpret-fr/inference/node');

async function main([modelPath, facePath]) {
  const face = JSON.parse(readFileSync(facePath, 'utf8'));
  const pixels = { data: new Uint8Array(Buffer.from(face.pixelsBase64, 'base64')), width: face.width, height: face.height, channels: face.channels };
  const rec = await createRecognizer(modelPath);
  const e = await rec.embed([pixels]);
  console.log(JSON.stringify(Array.from(embeddingRow(e, 0))));
  await rec.dispose();
}
main(process.argv.slice(2));
