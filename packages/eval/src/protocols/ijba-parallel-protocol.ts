/**
 * The messages between {@link evaluateIjbaParallel} (ijba-parallel.ts) and its workers
 * (ijba-worker-main.ts), and how an error crosses the thread boundary with its class and fields.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import { ScoreValueError } from '../metrics/stats.ts';
import { IjbaFormatError } from './ijba-csv.ts';
import { FeatureValueError, type IjbaOptions, type IjbaSplitData, type IjbaSplitResult } from './ijba.ts';

/** `workerData` of an IJB-A worker (a worker starts before the features are read: they follow in a message). */
export interface IjbaWorkerData {
  opts: IjbaOptions;
  gemm: 'native' | 'wasm';
}

/** The features, sent once to every worker when they are known. */
export interface IjbaWorkerFeatures {
  /** Raw features (n × dim float32), shared with every worker. */
  raw: SharedArrayBuffer;
  /** Their L2-normalised rows (shared): each worker writes `rows` [r0, r1), then reads all of them after 'go'. */
  unit: SharedArrayBuffer;
  rows: [number, number];
  n: number;
  dim: number;
  /** The id of each feature row. */
  ids: string[];
}

/**
 * A message to a worker: the features (first; the worker normalises its share of the rows and replies
 * 'normalized'), go (every share is normalised), a split to evaluate, or close (after the split in flight).
 */
export type IjbaWorkerJob = { type: 'features'; features: IjbaWorkerFeatures } | { type: 'go' } | { type: 'split'; k: number; split: IjbaSplitData } | { type: 'close' };

/** An error as it crosses the thread boundary. */
export interface ErrorMessage {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields with plain values (file, line, code, …). */
  props: Record<string, unknown>;
}

/** A worker's reply: ready (once: its kernel is up and it has the features), then one result or failure per split it was sent; k = −1: start-up failed. */
export type IjbaWorkerReply =
  | { type: 'normalized' }
  | { type: 'ready'; kernel: string }
  | { type: 'result'; k: number; result: IjbaSplitResult }
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
