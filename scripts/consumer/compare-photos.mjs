// Photos in, "same person?" out, with the shipped real-face model:
//   node compare-photos.mjs models/interpret-fr-lfw.onnx photo1.jpg photo2.jpg
// Each photo: face-api detector + 68 landmarks → template alignment → centre 96 crop → embedding (maps too).
// Prints one JSON line: the cosine similarity and the decision at the model card's DevTrain threshold.
import { chooseFace, createFaceAligner, createFacePipeline, decodeImageFile } from '@interpret-fr/align/node';
import { createRecognizer } from '@interpret-fr/inference/node';

const [modelPath, ...photos] = process.argv.slice(2);
const threshold = Number(process.env.THRESHOLD ?? 'NaN'); // the card's DevTrain threshold, if given
const recognizer = await createRecognizer(modelPath);
const pipeline = createFacePipeline(await createFaceAligner(), recognizer);

const embeddings = [];
for (const file of photos) {
  const { pixels } = await decodeImageFile(file);
  const { faces } = await pipeline.run(pixels, { fallback: 'none' });
  if (faces.length === 0) throw new Error(`${file}: no face found`);
  const face =
    faces[
      chooseFace(
        faces.map((f) => f.face),
        pixels.width,
        pixels.height,
      )
    ];
  embeddings.push(face.embedding);
}
const [a, b] = embeddings;
let dot = 0;
let na = 0;
let nb = 0;
for (let i = 0; i < a.length; i++) {
  dot += a[i] * b[i];
  na += a[i] * a[i];
  nb += b[i] * b[i];
}
const cosine = dot / Math.sqrt(na * nb);
console.log(JSON.stringify({ cosine, samePerson: Number.isNaN(threshold) ? null : cosine >= threshold }));
await recognizer.dispose();
