import { syntheticIjba } from '../../src/protocols/ijba-synthetic.ts';
import { parseIjbaComparisons, parseIjbaMetadata } from '../../src/protocols/ijba-csv.ts';
import { featureTable, type IjbaSplitData } from '../../src/protocols/ijba.ts';

/** A protocol whose features take few distinct values: many exact ties and near-ties of template scores. */
export function tiedProtocol(seed: number, nSplits = 2) {
  const syn = syntheticIjba({
    seed,
    splits: nSplits,
    subjects: 14,
    gallerySubjects: 8,
    templatesPerSubject: 5,
    meanExtraImages: 2,
    mode: 'noisy',
    noise: 0.3,
    dim: 32,
    missingTemplates: 0,
  });
  for (let i = 0; i < syn.features.length; i++) syn.features[i] = Math.round(syn.features[i]! * 3) / 3;
  const splits: IjbaSplitData[] = Array.from({ length: nSplits }, (_, i) => i + 1).map((s) => {
    const f = (n: string) => syn.files.get(`split${s}/${n}_${s}.csv`)!;
    return {
      split: s,
      verifyMetadata: parseIjbaMetadata(f('verify_metadata'), 'vm'),
      comparisons: parseIjbaComparisons(f('verify_comparisons'), 'vc'),
      probe: parseIjbaMetadata(f('search_probe'), 'sp'),
      gallery: parseIjbaMetadata(f('search_gallery'), 'sg'),
    };
  });
  return { splits, table: featureTable({ data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids), dim: syn.dim };
}
