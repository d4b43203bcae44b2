/**
 * End-to-end automatic alignment: real LFW-a and AT&T/ORL photos go into the built demo in headless
 * Chromium, which detects and aligns them (`@interpret-fr/align/web`, tfjs-wasm); the page's face box,
 * 68 landmarks and 110 aligned crop are compared with `@interpret-fr/align/node` on the same photo
 * (decoded in Node by sharp), the model input with the pipeline's centre-96 crop, the similarity with
 * `@interpret-fr/inference/node` on the Node crops. The card UI is driven too: faces outlined,
 * landmarks on request, "adjust by hand" and back, the manual editor as the fallback for a photo
 * without a face, nothing requested from another origin, no console errors.
 *
 * Tolerances (the same wasm kernels run in both, but the JPEG decoders may differ by a grey level):
 * box ±1 px per coordinate; landmarks mean |Δ| ≤ 0.25 px and max ≤ 1 px; crop mean absolute
 * difference ≤ 1 grey level (of 255) and ≥ 99 % of pixels within 8 levels; similarity |Δ| ≤ 1e-3.
 *
 * Skipped with a message when /usr/bin/chromium is missing (an error when CI is set) or when the
 * shared data folder is missing (an error when INTERPRET_FR_REQUIRE_DATA=1, which .ci/run sets when
 * ../shared/data exists).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { FRAME_SIZE, cropPixels, type Pixels } from '@interpret-fr/core';
import { MODEL_CROP, alignFace, chooseFace, createFaceAligner, decodeImageFile, type DetectedFace, type FaceAligner } from '@interpret-fr/align/node';
import { cosineSimilarity } from '@interpret-fr/inference';
import { createRecognizer } from '@interpret-fr/inference/node';
import { alignedModelInput } from '../src/logic/aligned-input.ts';
import { fitView, sourceToView } from '../src/logic/crop.ts';
import { DEMO_DETECT_OPTIONS } from '../src/align-photo.ts';
import { CHROMIUM, DATA_DIR, REPO, alignInPage, haveChromium, startDemo, type DemoHarness, type PageAlignment } from './harness.ts';

/** Real photos of the test (relative to the data folder); the ORL PGM reaches the browser as a lossless PNG. */
export const E2E_ALIGN_IMAGES = [
  'lfw/lfw-a/Aaron_Eckhart/Aaron_Eckhart_0001.jpg',
  'lfw/lfw-a/George_W_Bush/George_W_Bush_0010.jpg',
  'lfw/lfw-a/Serena_Williams/Serena_Williams_0003.jpg',
  'att-orl-faces/s1/1.pgm',
] as const;

/** Tolerances of the browser-vs-Node comparison (see the header). */
export const TOL = { boxPx: 1, landmarkMeanPx: 0.25, landmarkMaxPx: 1, cropMeanAbs: 1, cropWithin8: 0.99, similarity: 1e-3 } as const;

const MODEL = resolve(REPO, 'packages/inference/test/fixtures/interpretable-tiny.onnx');
const chromiumOk = haveChromium();
if (!chromiumOk) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing and CI is set: install Debian's chromium (apt-get install -y chromium)`);
  console.warn(`[demo align e2e] ${CHROMIUM} not found: the browser alignment test is skipped (apt-get install -y chromium)`);
}
const dataOk = E2E_ALIGN_IMAGES.every((p) => existsSync(join(DATA_DIR, p)));
if (!dataOk) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`INTERPRET_FR_REQUIRE_DATA=1 but the demo's alignment e2e images are missing under ${DATA_DIR}`);
  console.warn(`[demo align e2e] SKIPPING the browser alignment test: real images not found under ${DATA_DIR} (set INTERPRET_FR_DATA)`);
}

/** Bytes the browser gets for a data image (PGM → PNG, lossless; others as they are). */
async function browserBytes(rel: string): Promise<{ bytes: Uint8Array; name: string }> {
  const path = join(DATA_DIR, rel);
  const name = rel.split('/').slice(-2).join('_');
  if (!rel.endsWith('.pgm')) return { bytes: new Uint8Array(readFileSync(path)), name };
  const { pixels } = await decodeImageFile(path);
  const png = await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } })
    .png()
    .toBuffer();
  return { bytes: new Uint8Array(png), name: name.replace(/\.pgm$/, '.png') };
}

interface NodeAlignment {
  photo: Pixels;
  faces: DetectedFace[];
  chosen: number;
  crop: Pixels | null;
}

/** `@interpret-fr/align/node` on a file (relative to the data folder, or absolute). */
async function nodeAlign(aligner: FaceAligner, rel: string): Promise<NodeAlignment> {
  const { pixels } = await decodeImageFile(isAbsolute(rel) ? rel : join(DATA_DIR, rel));
  const faces = await aligner.detectFaces(pixels, DEMO_DETECT_OPTIONS);
  const chosen = chooseFace(faces, pixels.width, pixels.height);
  return { photo: pixels, faces, chosen, crop: chosen >= 0 ? alignFace(pixels, faces[chosen]!.landmarks68, { size: FRAME_SIZE }).pixels : null };
}

/** Grey level (first channel) of every pixel: the photos are grey, the page's copies RGBA with R = G = B. */
function firstChannel(data: ArrayLike<number>, channels: number): Float64Array {
  const n = data.length / channels;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels]!;
  return out;
}

/** How the page's alignment differs from Node's: box, landmarks, crop. */
function compare(page: PageAlignment, ref: NodeAlignment): { boxMax: number; lmMean: number; lmMax: number; cropMeanAbs: number; cropWithin8: number } {
  expect(page.faces.length, 'number of faces').toBe(ref.faces.length);
  expect(page.chosen, 'chosen face').toBe(ref.chosen);
  // every face (both sorted by score): box and landmarks; the mean is over all faces' points
  let boxMax = 0,
    lmSum = 0,
    lmMax = 0;
  page.faces.forEach((p, k) => {
    const r = ref.faces[k]!;
    expect(p.source).toBe(r.source);
    const rb = [r.box.x, r.box.y, r.box.width, r.box.height];
    boxMax = Math.max(boxMax, ...p.box.map((v, j) => Math.abs(v - rb[j]!)));
    for (let i = 0; i < 136; i++) {
      const d = Math.abs(p.landmarks68[i]! - r.landmarks68[i]!);
      lmSum += d;
      lmMax = Math.max(lmMax, d);
    }
  });
  const a = firstChannel(page.crop!, page.channels);
  const b = firstChannel(ref.crop!.data, ref.crop!.channels);
  expect(a.length).toBe(FRAME_SIZE * FRAME_SIZE);
  let sum = 0,
    within = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d <= 8) within++;
  }
  return { boxMax, lmMean: lmSum / (136 * page.faces.length), lmMax, cropMeanAbs: sum / a.length, cropWithin8: within / a.length };
}

function expectClose(rel: string, d: ReturnType<typeof compare>): void {
  console.log(
    `[demo align e2e] ${rel}: box max |Δ| ${d.boxMax.toFixed(3)} px, landmarks mean ${d.lmMean.toFixed(4)} / max ${d.lmMax.toFixed(3)} px, crop mean |Δ| ${d.cropMeanAbs.toFixed(3)} (${(100 * d.cropWithin8).toFixed(2)} % within 8)`,
  );
  expect(d.boxMax, `${rel}: box`).toBeLessThanOrEqual(TOL.boxPx);
  expect(d.lmMean, `${rel}: landmarks mean`).toBeLessThanOrEqual(TOL.landmarkMeanPx);
  expect(d.lmMax, `${rel}: landmarks max`).toBeLessThanOrEqual(TOL.landmarkMaxPx);
  expect(d.cropMeanAbs, `${rel}: crop mean |Δ|`).toBeLessThanOrEqual(TOL.cropMeanAbs);
  expect(d.cropWithin8, `${rel}: crop within 8`).toBeGreaterThanOrEqual(TOL.cropWithin8);
}

async function canvasHash(page: Page, id: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.getElementById(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]!) | 0;
    return h;
  }, id);
}

describe.skipIf(!chromiumOk || !dataOk)('demo: automatic detection and alignment of real photos in headless Chromium', () => {
  let demo: DemoHarness;
  let aligner: FaceAligner;

  beforeAll(async () => {
    if (!existsSync(MODEL)) throw new Error(`fixture model ${MODEL} is missing (made by packages/model-export/scripts/make-fixture.ts)`);
    demo = await startDemo((out) => {
      mkdirSync(join(out, 'models'), { recursive: true });
      copyFileSync(MODEL, join(out, 'models/fixture.onnx'));
    });
    aligner = await createFaceAligner();
  });

  afterAll(async () => {
    await demo?.close();
  });

  it('aligns dropped photos like @interpret-fr/align/node (box, landmarks, crop, model input, similarity); manual crop as the fallback', async () => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const foreign: string[] = [];
    const wasm: string[] = [];
    const alignWorker: string[] = [];
    const consoleErrors: string[] = [];
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== demo.origin) foreign.push(r.url());
      if (u.pathname.endsWith('.wasm')) wasm.push(u.pathname);
      if (/\/assets\/align-worker-[\w-]+\.js$/.test(u.pathname)) alignWorker.push(u.pathname);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(`${demo.url}?model=models/fixture.onnx`);
    await page.waitForFunction(() => document.body.dataset.modelReady === 'true' || !document.getElementById('error')!.hidden, null, { timeout: 60_000 });
    expect(await page.locator('#error').isHidden(), (await page.locator('#error').textContent()) ?? '').toBe(true);
    expect(await page.locator('#auto-align').isChecked()).toBe(true);

    // Face A: the first LFW-a photo through the file picker; face B: the ORL photo dropped on its card.
    const [relA, relB] = [E2E_ALIGN_IMAGES[0], E2E_ALIGN_IMAGES[3]];
    const a = await browserBytes(relA);
    const b = await browserBytes(relB);
    await page.setInputFiles('#file-a', { name: a.name, mimeType: 'image/jpeg', buffer: Buffer.from(a.bytes) });
    await page.evaluate(
      ({ data, name }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(data)], name, { type: 'image/png' }));
        document.getElementById('face-b')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { data: Array.from(b.bytes), name: b.name },
    );
    await page.waitForFunction(() => ['a', 'b'].every((k) => document.getElementById(`face-${k}`)!.dataset.align === 'aligned'), null, { timeout: 120_000 });
    await page.waitForFunction(() => document.getElementById('score')!.dataset.value !== undefined, null, { timeout: 60_000 });
    expect(await page.locator('#align-info-a').textContent()).toMatch(/^1 face: (detector|found after padding), score 0\.\d\d \(\d+ ms, wasm\)\.$/);
    expect(await page.locator('#crop-info-a').textContent()).toMatch(/aligned face on the 110×110 template, centre 96×96 → 48×48$/);

    // The slots' detections, crops and model inputs, read back from the page.
    const slots = await page.evaluate(() => {
      const api = (window as unknown as { interpretFrDemo: import('../src/main.ts').DemoScripting }).interpretFrDemo;
      return api.app.faces.map((f) => {
        const al = f.slot.alignment!;
        return {
          width: f.slot.image!.pixels.width,
          height: f.slot.image!.pixels.height,
          channels: f.slot.image!.pixels.channels,
          faces: al.faces.map((x) => ({
            box: [x.box.x, x.box.y, x.box.width, x.box.height] as [number, number, number, number],
            score: x.score,
            source: x.source,
            landmarks68: Array.from(x.landmarks68),
          })),
          chosen: al.chosen,
          crop: Array.from(al.aligned!.pixels.data),
          detectMs: al.detectMs,
          alignMs: al.alignMs,
          backend: al.backend,
          input: { data: Array.from(f.slot.input!.data), width: f.slot.input!.width, channels: f.slot.input!.channels },
        };
      });
    });
    const refs = [await nodeAlign(aligner, relA), await nodeAlign(aligner, relB)];
    const rec = await createRecognizer(new Uint8Array(readFileSync(MODEL)));
    const S = rec.inputSize;
    const refInputs: Pixels[] = [];
    for (let k = 0; k < 2; k++) {
      const page = slots[k]!;
      const ref = refs[k]!;
      expect([page.width, page.height]).toEqual([ref.photo.width, ref.photo.height]);
      expect(page.backend).toBe('wasm');
      expectClose([relA, relB][k]!, compare(page, ref));
      // The model input is the pipeline's centre-96 crop of the 110 frame (resized to the model's S).
      const centre = cropPixels(ref.crop!, (FRAME_SIZE - MODEL_CROP) / 2, (FRAME_SIZE - MODEL_CROP) / 2, MODEL_CROP, MODEL_CROP);
      const want = alignedModelInput(ref.crop!, S);
      refInputs.push(want);
      expect(page.input.width).toBe(S);
      const got = firstChannel(page.input.data, page.input.channels);
      const exp = firstChannel(want.data, want.channels);
      let sum = 0;
      for (let i = 0; i < got.length; i++) sum += Math.abs(got[i]! - exp[i]!);
      expect(sum / got.length, 'model input mean |Δ|').toBeLessThanOrEqual(TOL.cropMeanAbs);
      expect(centre.width).toBe(MODEL_CROP);
    }
    const e = await rec.embed(refInputs);
    const refSim = cosineSimilarity(e.data.subarray(0, e.dim), e.data.subarray(e.dim, 2 * e.dim));
    await rec.dispose();
    const shown = Number(await page.locator('#score').getAttribute('data-value'));
    console.log(`[demo align e2e] similarity page ${shown.toFixed(6)} vs node on the Node-aligned crops ${refSim.toFixed(6)} (|Δ| ${Math.abs(shown - refSim).toExponential(2)})`);
    expect(Math.abs(shown - refSim)).toBeLessThanOrEqual(TOL.similarity);

    // Landmarks on request: the source view changes when the box is ticked.
    const plain = await canvasHash(page, 'source-a');
    await page.locator('#landmarks-a').check();
    expect(await canvasHash(page, 'source-a')).not.toBe(plain);
    await page.locator('#landmarks-a').uncheck();
    expect(await canvasHash(page, 'source-a')).toBe(plain);

    // "Adjust the crop by hand": the crop box starts on the aligned window; the model input changes; and back.
    await page.locator('#align-mode-a').click();
    expect(await page.locator('#align-mode-a').textContent()).toBe('Use the detected face');
    expect(await page.locator('#crop-info-a').textContent()).toMatch(/crop \d+×\d+ at \(\d+, \d+\) → 48×48$/);
    await page.waitForFunction((s) => document.getElementById('score')!.dataset.value !== String(s), shown, { timeout: 30_000 });
    await page.locator('#align-mode-a').click();
    await page.waitForFunction((s) => document.getElementById('score')!.dataset.value === String(s), shown, { timeout: 30_000 });

    // A photo without a face: the manual crop editor takes over and the score still comes.
    const blank = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .png()
      .toBuffer();
    await page.setInputFiles('#file-a', { name: 'blank.png', mimeType: 'image/png', buffer: blank });
    await page.waitForFunction(() => document.getElementById('face-a')!.dataset.align === 'none', null, { timeout: 60_000 });
    expect(await page.locator('#align-info-a').textContent()).toMatch(/^No face found \(\d+ ms, wasm\): crop by hand\.$/);
    expect(await page.locator('#crop-info-a').textContent()).toBe('Image 160×120; crop 105×105 at (27, 7) → 48×48');
    expect(await page.locator('#align-mode-a').isDisabled()).toBe(true);
    await page.waitForFunction((s) => document.getElementById('score')!.dataset.value !== String(s), shown, { timeout: 30_000 });

    // The other photos through the page's own decode + detect + align, against Node.
    for (const rel of E2E_ALIGN_IMAGES.slice(1, 3)) {
      const { bytes, name } = await browserBytes(rel);
      expectClose(rel, compare(await alignInPage(page, bytes, name), await nodeAlign(aligner, rel)));
    }

    // Two faces in one photo (the centre 150 × 150 of two LFW-a photos side by side): both outlined,
    // one chosen like Node; a click on the other box aligns that one (its crop = Node's alignFace).
    const centre150 = (rel: string) => sharp(join(DATA_DIR, rel)).extract({ left: 50, top: 50, width: 150, height: 150 }).toBuffer();
    const pair = await sharp(await centre150(E2E_ALIGN_IMAGES[1]))
      .extend({ right: 150, background: '#000' })
      .composite([{ input: await centre150(E2E_ALIGN_IMAGES[2]), left: 150, top: 0 }])
      .png()
      .toBuffer();
    const pairPath = join(mkdtempSync(join(tmpdir(), 'demo-align-e2e-')), 'two-faces.png');
    writeFileSync(pairPath, pair);
    const pairRef = await nodeAlign(aligner, pairPath);
    expect(pairRef.faces.length).toBe(2);
    expectClose('two-faces.png', compare(await alignInPage(page, new Uint8Array(pair), 'two-faces.png'), pairRef));
    await page.setInputFiles('#file-b', { name: 'two-faces.png', mimeType: 'image/png', buffer: pair });
    // card B was 'aligned' already (the ORL photo): wait for the new name too
    await page.waitForFunction(() => document.getElementById('name-b')!.textContent === '· two-faces.png' && document.getElementById('face-b')!.dataset.align === 'aligned', null, {
      timeout: 60_000,
    });
    expect(await page.locator('#align-info-b').textContent()).toMatch(new RegExp(`^2 faces; using face ${pairRef.chosen + 1} \\(click another box to choose it\\)`));
    const other = 1 - pairRef.chosen;
    const ob = pairRef.faces[other]!.box;
    const src = (await page.locator('#source-b').boundingBox())!;
    const v = fitView(300, 150, src.width, src.height);
    const [cx, cy] = sourceToView(v, ob.x + ob.width / 2, ob.y + ob.height / 2);
    await page.mouse.click(src.x + cx, src.y + cy);
    await page.waitForFunction((k) => new RegExp(`^2 faces; using face ${k + 1} `).test(document.getElementById('align-info-b')!.textContent ?? ''), other, { timeout: 10_000 });
    const picked = await page.evaluate(() => {
      const api = (window as unknown as { interpretFrDemo: import('../src/main.ts').DemoScripting }).interpretFrDemo;
      const a = api.app.faces[1]!.slot.alignment!;
      return { chosen: a.chosen, crop: Array.from(a.aligned!.pixels.data), channels: a.aligned!.pixels.channels };
    });
    expect(picked.chosen).toBe(other);
    const want = alignFace(pairRef.photo, pairRef.faces[other]!.landmarks68, { size: FRAME_SIZE }).pixels;
    const g = firstChannel(picked.crop, picked.channels);
    const w = firstChannel(want.data, want.channels);
    let diff = 0;
    for (let i = 0; i < g.length; i++) diff += Math.abs(g[i]! - w[i]!);
    expect(diff / g.length, 'picked face crop mean |Δ|').toBeLessThanOrEqual(TOL.cropMeanAbs);

    expect(foreign, `requests left ${demo.origin}`).toEqual([]);
    // tfjs's wasm and the face-api weights came from the app's own folders.
    expect(wasm.filter((p) => p.startsWith('/tfjs-wasm/')).length).toBe(1);
    expect(wasm.every((p) => p.startsWith('/tfjs-wasm/') || p.startsWith('/ort/'))).toBe(true);
    // detection ran in the alignment worker, off the page's main thread
    expect(alignWorker.length).toBe(1);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
