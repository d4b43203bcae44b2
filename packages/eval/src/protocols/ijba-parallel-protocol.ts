/**
 * The messages between {@link evaluateIjbaParallel} (ijba-parallel.ts) and its workers
 * (ijba-worker-main.ts), and how an error crosses the thread boundary with its class and fields.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core/errors';
import { ScoreValueError } from '../metrics/stats.ts';
import { IjbaFormatError } from './ijba-csv.ts';
import { FeatureValueError, type IjbaOptions, type IjbaPart, type IjbaPartResult, type IjbaSplitData, type IjbaSplitResult } from './ijba.ts';

/** `workerData` of an IJB-A worker (a worker starts before the features are read: they follow in a message). */
export interface IjbaWorkerData {
  opts: IjbaOptions;
  gemm: 'native' | 'wasm';
}

/** The features, sent once to every worker when they are known. */
export interface IjbaWorkerFeatures {
  /** Raw features (float32, from its start: the buffer may be longer), shared with every worker. */
  raw: SharedArrayBuffer;
  /** How many values of `raw` are the features (n × dim for a well-formed table). */
  length: number;
  /**
   * Their L2-normalised rows (shared): each worker writes `rows` [r0, r1), then reads all of them once every share is
   * done. May be `raw` itself (normalised in place: the workers then never read the raw values again).
   */
  unit: SharedArrayBuffer;
  /**
   * The shared WebAssembly.Memory whose buffer `unit` is, or null: the worker registers it (simd.ts
   * registerFeatureMemory) so that its indexed kernel reads the rows in place instead of copying them.
   */
  memory: WebAssembly.Memory | null;
  rows: [number, number];
  /**
   * Two Int32s, shared. [0]: the count of shares normalised (each worker adds 1 when its share is done and starts
   * once it reads `workers`, waiting on it with Atomics: no round trip through the main thread, which is busy
   * parsing the splits then); −1 when a worker failed to normalise its share (the others then never start).
   * [1]: the rows holding a non-finite value, over all shares (added before [0]): 0 lets the set scores skip
   * their per-block scan for such rows.
   */
  done: SharedArrayBuffer;
  workers: number;
  n: number;
  dim: number;
  /** The id of each feature row as a number, when every id is a canonical integer (ijba.ts numericIds); else null. */
  numericIds: Float64Array | null;
  /** The id of each feature row, when they are not all numbers (else null: nothing to clone). */
  ids: string[] | null;
}

/**
 * A message to a worker: the features (first; the worker normalises its share of the rows), a split or one
 * half of a split (`part`) to evaluate (queued behind the start-up and any job before it), or close (after the
 * jobs in flight).
 */
export type IjbaWorkerJob = { type: 'features'; features: IjbaWorkerFeatures } | { type: 'split'; k: number; split: IjbaSplitData; part?: IjbaPart } | { type: 'close' };

/** An error as it crosses the thread boundary. */
export interface ErrorMessage {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields with plain values (file, line, code, …). */
  props: Record<string, unknown>;
}

/**
 * A worker's reply: ready (once: its kernel is up and every share of the features is normalised), then one result
 * (a split's, or a half's when the job named a `part`) or failure per job it was sent; k = −1: start-up failed.
 */
export type IjbaWorkerReply =
  | { type: 'ready'; kernel: string }
  | { type: 'result'; k: number; result: IjbaSplitResult | IjbaPartResult }
  | { type: 'failed'; k: number; error: ErrorMessage };

/** Serialises an error (any thrown value) for postMessage. */
export function errorMessage(e: unknown): ErrorMessage {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, props };
}

/** The classes an evaluation throws, so that a worker's error is rethrown as the same class. */
const CLASSES: Record<string, new (...a: never[]) => Error> = {
  IjbaFormatError,
  FeatureValueError,
  ScoreValueError,
  InterpretFrError,
  RangeError,
  TypeError,
};

/** Rebuilds a worker's error: same class (when known), message, fields and stack. */
export function reviveError(m: ErrorMessage): Error {
  const C = CLASSES[m.name] ?? Error;
  const e = Object.create(C.prototype) as Error;
  Object.assign(e, m.props);
  Object.defineProperty(e, 'message', { value: m.message, writable: true, configurable: true });
  Object.defineProperty(e, 'name', { value: m.name, writable: true, configurable: true });
  if (m.stack) Object.defineProperty(e, 'stack', { value: m.stack, writable: true, configurable: true });
  return e;
}
