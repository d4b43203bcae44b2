/**
 * The one seam to `@vladmandic/face-api`'s own types: its module type, its tfjs namespace and tensor
 * type. Internal: public declarations use the structural {@link FaceApi}; `node.ts` and `web.ts`
 * import a build of the library (the Node wasm build and the browser ESM build), everything else
 * receives the module as a parameter and gets its full type back through {@link faceApiModule}.
 *
 * @module
 */
import type * as FaceApiNamespace from '@vladmandic/face-api';
import type { FaceApi } from './face-api-types.ts';

/** The face-api module (`@vladmandic/face-api` Node or browser build); carries its own `tf`. */
export type FaceApiModule = typeof FaceApiNamespace;
/** The tfjs namespace face-api was built against. */
export type Tf = FaceApiModule['tf'];
/** A tfjs tensor. */
export type Tensor = ReturnType<Tf['tensor']>;

const isFunction = (o: object, key: string): boolean => typeof Reflect.get(o, key) === 'function';

/** Whether `f` has the members of face-api this package calls (checked at run time, not assumed). */
function isFaceApiModule(f: FaceApi): f is FaceApiModule {
  return (
    isFunction(f.tf, 'tidy') &&
    isFunction(f.nets.tinyFaceDetector, 'locateFaces') &&
    isFunction(f.nets.faceLandmark68Net, 'loadFromWeightMap') &&
    isFunction(f.nets.faceRecognitionNet, 'computeFaceDescriptor') &&
    typeof f.TinyFaceDetectorOptions === 'function'
  );
}

/** `f` with face-api's full module type, or a TypeError naming what is missing. */
export function faceApiModule(f: FaceApi): FaceApiModule {
  if (!isFaceApiModule(f))
    throw new TypeError(
      'expected a face-api module (@vladmandic/face-api: tf.tidy, nets.tinyFaceDetector.locateFaces, nets.faceLandmark68Net, TinyFaceDetectorOptions), as loadFaceApi() returns it',
    );
  return f;
}
