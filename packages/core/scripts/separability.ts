/**
 * Prints how separable the synthetic identities are for a simple template matcher: nearest centroid
 * on 16×16 box-downsampled gray pixels of unoccluded images, 10 train + 10 test images per identity.
 *
 * Usage: pnpm exec tsx packages/core/scripts/separability.ts [--identities 20] [--seeds 1,2,3]
 */
import { parseArgs } from 'node:util';
import { nearestCentroidAccuracy } from './nearest-centroid.ts';

const { values } = parseArgs({ options: { identities: { type: 'string', default: '20' }, seeds: { type: 'string', default: '1,2,3' } } });
const ids = Number(values.identities);

console.log('| seed | identities | accuracy | chance |');
console.log('|---|---|---|---|');
for (const seed of values.seeds!.split(',').map(Number)) {
  console.log(`| ${seed} | ${ids} | ${nearestCentroidAccuracy(seed, ids).toFixed(3)} | ${(1 / ids).toFixed(3)} |`);
}
