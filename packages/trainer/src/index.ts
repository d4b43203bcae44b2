/**
 * `@interpret-fr/trainer`: Interpret-FR training in tfjs.
 *
 * @packageDocumentation
 */
export * from './backend.ts';
export * from './params.ts';
export * from './net.ts';
export * from './losses/cross-entropy.ts';
export * from './losses/sad.ts';
export * from './losses/weight-diversity.ts';
export * from './losses/fad.ts';
export * from './objective.ts';
export * from './train-step.ts';
export * from './occlusion.ts';
export * from './data/types.ts';
export * from './data/dataset.ts';
export * from './data/open.ts';
export { openListFile } from './data/list-file.ts';
export { openImageFolder } from './data/folder.ts';
export { openDatBlob } from './data/dat-blob.ts';
export { openSynthetic, ensureSynthetic } from './data/synthetic.ts';
export * from './config.ts';
export * from './events.ts';
export * from './loop.ts';
export { latestCheckpoint, readModelCheckpoint, readTrainState, resolveCheckpointPath } from './run-dir.ts';
export type { TrainState } from './run-dir.ts';
export { lossCurveSvg } from './plot.ts';
export { readTeacher, teacherBatch } from './teacher.ts';
export type { TeacherTable } from './teacher.ts';
