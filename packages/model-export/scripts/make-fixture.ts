/**
 * Writes packages/inference/test/fixtures/interpretable-tiny.onnx and
 * interpretable-tiny.expected.json (see fixture.ts for what they contain).
 *
 *   pnpm --filter @interpret-fr/model-export run make-fixture
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeFileAtomic } from '@interpret-fr/core/node';
import { FIXTURE_JSON, FIXTURE_ONNX, fixtureBatch, fixtureExpected, fixtureInputs, fixtureOnnx } from './fixture.ts';

const dir = resolve(import.meta.dirname, '../../inference/test/fixtures');
const onnx = fixtureOnnx();
const inputs = fixtureInputs();
const session = await ort.InferenceSession.create(onnx);
const r = await session.run({ image: new ort.Tensor('float32', fixtureBatch(inputs), [inputs.length, 3, 48, 48]) });
const expected = fixtureExpected(onnx, inputs, r.embedding!.data as Float32Array, r.maps!.data as Float32Array);
mkdirSync(dir, { recursive: true });
writeFileAtomic(resolve(dir, FIXTURE_ONNX), onnx);
writeFileAtomic(resolve(dir, FIXTURE_JSON), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`wrote ${resolve(dir, FIXTURE_ONNX)} (${onnx.length} bytes, sha256 ${expected.modelSha256}) and ${FIXTURE_JSON}`);
