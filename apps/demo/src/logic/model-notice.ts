/**
 * What the page says about the bundled default model (from `models/manifest.json`): the LFW-a model
 * (`models/interpret-fr-lfw.onnx`, trained on real faces) is the intended default; the random-weight
 * inference fixture is a fallback whose scores mean nothing, and the page says so on screen.
 *
 * @module
 */

/** Where the default model came from (`kind` in the manifest vite.config.ts writes). */
export type DefaultModelKind = 'env' | 'lfw' | 'run' | 'fixture';

/** The on-screen notice for a default model of `kind`, or null when none is needed. */
export function modelNotice(kind: DefaultModelKind | null | undefined): string | null {
  if (kind === 'fixture') {
    return 'Fallback model: the random-weight test fixture (interpretable-tiny). Its similarity scores mean nothing; models/interpret-fr-lfw.onnx (trained on LFW-a) was not found when this page was built. Choose a trained .onnx file to compare real faces.';
  }
  return null;
}
