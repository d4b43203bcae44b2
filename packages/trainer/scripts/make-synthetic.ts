/**
 * Writes the built-in synthetic face set to a folder and prints how long it took.
 *
 * Usage: pnpm exec tsx packages/trainer/scripts/make-synthetic.ts --out DIR [--seed 1]
 *   [--identities 100] [--images 100] [--occluder-rate 0.2]
 */
import { parseArgs } from 'node:util';
import { writeSyntheticDataset } from '../src/data/synthetic-writer.ts';

const usage = `make-synthetic.ts --out DIR [--seed N] [--identities N] [--images N] [--occluder-rate R]
  Writes DIR/images/<id>/<n>.png, list.txt, landmarks.txt, occluders.txt, dataset.json.
  Defaults: --seed 1 --identities 100 --images 100 --occluder-rate 0.2 (10,000 images).`;

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    identities: { type: 'string', default: '100' },
    images: { type: 'string', default: '100' },
    'occluder-rate': { type: 'string', default: '0.2' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.out) {
  console.error(`error: --out is required\n${usage}`);
  process.exit(2);
}
const num = (name: string, v: string | undefined) => {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x)) {
    console.error(`error: --${name} must be a number, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return x;
};
const opts = {
  seed: num('seed', values.seed),
  identities: num('identities', values.identities),
  imagesPerIdentity: num('images', values.images),
  occluderRate: num('occluder-rate', values['occluder-rate']),
};
const cpu0 = process.cpuUsage();
let lastPct = 0;
try {
  const r = await writeSyntheticDataset(values.out, {
    ...opts,
    onProgress: (e) => {
      const pct = Math.floor((100 * e.done) / e.total);
      if (pct >= lastPct + 10) {
        lastPct = pct;
        process.stderr.write(`  ${e.done}/${e.total}\n`);
      }
    },
  });
  const cpu = process.cpuUsage(cpu0);
  if (r.skipped) console.log(`${r.dir}: already holds this set (${r.count} images), nothing to do`);
  else {
    console.log(
      `wrote ${r.count} images to ${r.dir} in ${r.seconds.toFixed(1)} s wall ` +
        `(${((1000 * r.seconds) / r.count).toFixed(2)} ms/image; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
    );
  }
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
