/**
 * The built-in synthetic face set (see dataset.ts for the entry points).
 *
 * @module
 */
export { type IdentityParams, type HairStyle, sampleIdentity } from './identity.ts';
export { type Expression, type Pose, canonicalLandmarks, posePoints } from './shape.ts';
export { type OccluderKind, type OccluderSpec, OCCLUDER_KINDS } from './occluders.ts';
export { type SceneParams, type SyntheticFaceParams, type SyntheticFace, generateSyntheticFace, sampleNuisance } from './face.ts';
export {
  type SyntheticDatasetOptions,
  type SyntheticSample,
  SYNTHETIC_VERSION,
  mixSeed,
  syntheticIdentity,
  syntheticSampleParams,
  syntheticSample,
  syntheticDataset,
} from './dataset.ts';
