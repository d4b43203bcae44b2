/**
 * Prints how separable the synthetic identities are for a simple template matcher: nearest centroid
 * on 16×16 box-downsampled gray pixels of unoccluded images, 10 train + 10 test images per identity.
 *
 * Usage: pnpm exec tsx packages/core/scripts/separability.ts [--identities 20] [--seeds 1,2,3]
 */
import { parseArgs } from 'node:util';
import { syntheticSample } from '../src/synthetic/index.ts';

const { values } = parseArgs({ options: { identities: { type: 'string', default: '20' }, seeds: { type: 'string', default: '1,2,3' } } });
const ids = Number(values.identities);
const S = 110;

function gray16(px: Uint8Array): Float64Array {
  const out = new Float64Array(256);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const j = 3 * (y * S + x);
      out[Math.floor((y * 16) / S) * 16 + Math.floor((x * 16) / S)]! += 0.299 * px[j]! + 0.587 * px[j + 1]! + 0.114 * px[j + 2]!;
    }
  }
  return out;
}

console.log('| seed | identities | accuracy | chance |');
console.log('|---|---|---|---|');
for (const seed of values.seeds!.split(',').map(Number)) {
  const opts = { seed, identities: ids, imagesPerIdentity: 20, occluderRate: 0 };
  const cents: Float64Array[] = [];
  const tests: [number, Float64Array][] = [];
  for (let id = 0; id < ids; id++) {
    const c = new Float64Array(256);
    for (let n = 0; n < 20; n++) {
      const f = gray16(syntheticSample(opts, id, n).pixels);
      if (n < 10) for (let i = 0; i < 256; i++) c[i]! += f[i]! / 10;
      else tests.push([id, f]);
    }
    cents.push(c);
  }
  let ok = 0;
  for (const [id, f] of tests) {
    let best = -1, bd = Infinity;
    cents.forEach((c, k) => {
      let d = 0;
      for (let i = 0; i < 256; i++) d += (c[i]! - f[i]!) ** 2;
      if (d < bd) { bd = d; best = k; }
    });
    if (best === id) ok++;
  }
  console.log(`| ${seed} | ${ids} | ${(ok / tests.length).toFixed(3)} | ${(1 / ids).toFixed(3)} |`);
}
