/**
 * `@interpret-fr/study`: the real-face study on LFW-a (issue 13) behind `pnpm study:lfw`: the protocol
 * split and crop, the prepared cache, the plan of trainings, the LBP baseline, the pretrained teacher,
 * the occlusion read-outs on DevTest, the results page and the stage runner.
 *
 * @packageDocumentation
 */
export { listLfw, lfwSplit, personOf } from './lfw.ts';
export type { LfwImage, LfwSplit } from './lfw.ts';
export { EVAL_SIZE, buildStudySets, evalCrop, devTestLandmarks, readAligned } from './prepare.ts';
export type { AlignedImage, PrepareSummary, ProgressFn } from './prepare.ts';
export { TRAININGS } from './plan.ts';
export type { TrainPlan } from './plan.ts';
export { LBP_BINS, U2_TABLE, chiSquare, lbpCodes, lbpDescriptor } from './lbp.ts';
export { lbpBaseline } from './lbp-eval.ts';
export { TEACHER_CROPS, extractTeacher, loadTeacher, readTeacherCache, teacherChip, teacherOrder } from './teacher.ts';
export type { Teacher, TeacherCrop } from './teacher.ts';
export { teacherBaseline } from './teacher-eval.ts';
export { occlusionOnDevTest } from './occlusion-eval.ts';
export { orlEval, orlMetrics } from './orl-eval.ts';
export type { OrlReadout } from './orl-eval.ts';
export type { OcclusionReadout } from './occlusion-eval.ts';
export { sensitivity, writeResults } from './results.ts';
export { STAGES, TEACHER_CROP, hasMaps, runLogged, runState, runStudy, studyPaths, trainArgs, writeTeacherTable } from './pipeline.ts';
export type { RunState, StudyOptions } from './pipeline.ts';
export { shipBest } from './ship.ts';
export type { ShipResult } from './ship.ts';
