import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRecognizer } from '@interpret-fr/inference/node';
import { createDetectAligner, decodeImageFile } from '@interpret-fr/eval/node';

const repo = new URL('../../../', import.meta.url).pathname;
const LFW = join(repo, '../shared/data/lfw/lfw-a');
const model = join(repo, 'models/interpret-fr-lfw.onnx');
const script = join(repo, 'scripts/consumer/compare-photos.mjs');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

describe.skipIf(!existsSync(LFW) && process.env.INTERPRET_FR_REQUIRE_DATA !== '1')('README example: two photos → same person? (shipped LFW model)', () => {
  it("prints the cosine that eval's --align detect path gives for the same photos", { timeout: 180_000 }, async () => {
    const a = join(LFW, 'Aaron_Peirsol/Aaron_Peirsol_0001.jpg');
    const b = join(LFW, 'Aaron_Peirsol/Aaron_Peirsol_0002.jpg');
    const out = execFileSync(process.execPath, ['--conditions=@interpret-fr/source', '--import', tsx, script, model, a, b], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, THRESHOLD: '0.5' },
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { cosine: number; samePerson: boolean };
    const detect = await createDetectAligner();
    const rec = await createRecognizer(model);
    try {
      const e = await rec.embed([await detect(await decodeImageFile(a), a), await detect(await decodeImageFile(b), b)]);
      const [x, y] = [e.data.subarray(0, e.dim), e.data.subarray(e.dim, 2 * e.dim)];
      let dot = 0;
      let nx = 0;
      let ny = 0;
      for (let i = 0; i < e.dim; i++) {
        dot += x[i]! * y[i]!;
        nx += x[i]! * x[i]!;
        ny += y[i]! * y[i]!;
      }
      expect(r.cosine).toBeCloseTo(dot / Math.sqrt(nx * ny), 6);
      expect(r.samePerson).toBe(r.cosine >= 0.5);
    } finally {
      await rec.dispose();
    }
  });
});
