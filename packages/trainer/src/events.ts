/**
 * Typed training events: the library emits them, the CLI renders them (progress line on a TTY, JSON
 * lines otherwise) and the run directory keeps them in `events.jsonl`.
 *
 * @module
 */
import type { BackendAttempt } from './backend-info.ts';
import type { DatasetInfo } from './data/types.ts';
import type { LossTerms } from './loss-weights.ts';

/** The run starts (after data checks and backend load). */
export interface StartEvent {
  type: 'start';
  time: string;
  runDir: string;
  preset: string;
  spec: string;
  numClasses: number;
  params: number;
  totalSteps: number;
  /** Step the run resumes from (null for a fresh run). */
  resumedFrom: number | null;
  /** Checkpoint the backbone was initialised from, if any. */
  initFrom: string | null;
  data: DatasetInfo;
}

/** Which tfjs backend was obtained, and why the others were not. */
export interface BackendEvent {
  type: 'backend';
  name: string;
  attempts: BackendAttempt[];
}

/** A corrupt or unreadable image was skipped. */
export interface DataWarningEvent {
  type: 'data-warning';
  path: string;
  reason: string;
  /** Images skipped so far. */
  skipped: number;
}

/** One optimizer step. `losses` is present on log steps only (reading values is a device sync). */
export interface StepEvent {
  type: 'step';
  step: number;
  totalSteps: number;
  epoch: number;
  losses: LossTerms | null;
  /** Training throughput over the steps since the last step event with losses (clean images). */
  imagesPerSecond: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

/** A checkpoint was written (and older ones pruned). */
export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
  removed: string[];
}

/** The run ended, normally or by abort (a checkpoint was saved in both cases). */
export interface DoneEvent {
  type: 'done';
  reason: 'completed' | 'aborted';
  step: number;
  runDir: string;
  checkpoint: string;
  wallSeconds: number;
  /** Last losses read (mean over the last few log steps is in summary.json). */
  final: LossTerms | null;
  /** Inference-mode accuracy on `evalImages` centre-cropped training images (null when skipped). */
  evalAccuracy: number | null;
  skippedImages: number;
}

/** Something the user should know that does not stop the run (legacy checkpoint, crash leftovers removed). */
export interface WarningEvent {
  type: 'warning';
  message: string;
}

/** A loss or a weight became NaN or infinite: the run stops with an error (no checkpoint of it is written). */
export interface DivergedEvent {
  type: 'diverged';
  step: number;
  /** What was non-finite, e.g. `loss "total" is NaN` or `tensor "fc/kernel" holds Infinity at element 3`. */
  reason: string;
  /** The last good checkpoint (still the run's latest), or null. */
  lastCheckpoint: string | null;
}

/** Every event {@link train} emits. */
export type TrainEvent = StartEvent | BackendEvent | DataWarningEvent | WarningEvent | StepEvent | CheckpointEvent | DivergedEvent | DoneEvent;
