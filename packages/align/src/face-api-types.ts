/**
 * The public type of a face-api module (`@vladmandic/face-api`, Node or browser build), written as
 * the small structure this package relies on: face-api's own declarations (its bundled tfjs and
 * WebGPU types) stay out of ours, so an app type-checks `@interpret-fr/align` with
 * `skipLibCheck: false`. The real module type is internal (`face-api-module.ts`); a module passed
 * in is checked against it at run time ({@link FaceApi} in, face-api's full types inside).
 *
 * @module
 */

/** A loaded face-api module, as `loadFaceApi()` (`./node`, `./web`) returns it; carries its own `tf`. */
export interface FaceApi {
  /** The tfjs namespace face-api was built against (its backend runs the networks). */
  readonly tf: object;
  /** face-api's networks: the aligner loads the tiny face detector, a 68-landmark net and, for descriptors, the recognition net. */
  readonly nets: {
    readonly tinyFaceDetector: object;
    readonly faceLandmark68Net: object;
    readonly faceLandmark68TinyNet: object;
    readonly faceRecognitionNet: object;
  };
  /** The tiny face detector's options class. */
  readonly TinyFaceDetectorOptions: abstract new (
    ...args: never[]
  ) => object;
}
