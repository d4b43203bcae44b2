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
