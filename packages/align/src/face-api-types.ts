/**
 * The one seam to `@vladmandic/face-api`: its module type. Only `node.ts` and `web.ts` import a
 * build of the library (the Node wasm build and the browser ESM build); everything else receives the
 * module as a parameter.
 *
 * @module
 */
import type * as FaceApiModule from '@vladmandic/face-api';

/** The face-api module (`@vladmandic/face-api` Node or browser build); carries its own `tf`. */
export type FaceApi = typeof FaceApiModule;
/** The tfjs namespace face-api was built against. */
export type Tf = FaceApi['tf'];
/** A tfjs tensor. */
export type Tensor = ReturnType<Tf['tensor']>;
