/**
 * The public training API's types and error ({@link train}'s options and result, the divergence
 * error the stages throw). No tfjs types: the stages (`loop.ts`) import these, not the reverse.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import type { BackendInfo } from './backend-info.ts';
import type { TrainEvent } from './events.ts';
import type { LossTerms } from './loss-weights.ts';

/** Options of `train`. */
export interface TrainOptions {
  /** The run directory (created; must not hold checkpoints unless `resume`). */
  runDir: string;
  /** Continue from the run directory's latest checkpoint (weights, Adam state, RNG, data position, step). */
  resume?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** Abort = save a checkpoint and return (`reason: 'aborted'`). */
  signal?: AbortSignal;
  /** An already loaded backend, as `loadBackend` returns it (otherwise `config.backend` is loaded). */
  backend?: BackendInfo;
}

/** What `train` returns. */
export interface TrainResult {
  runDir: string;
  reason: 'completed' | 'aborted';
  step: number;
  checkpoint: string;
  /** Last loss terms read during training. */
  final: LossTerms | null;
  /** Accuracy in inference mode on `evalImages` centre-cropped training images (null when skipped). */
  evalAccuracy: number | null;
  wallSeconds: number;
  skippedImages: number;
  /** The spec trained (numClasses from the data). */
  spec: ModelSpec;
}

/** The run stopped because a loss or a weight became NaN or infinite. */
export class TrainingDivergedError extends InterpretFrError {
  constructor(
    message: string,
    readonly step: number,
    /** The last good checkpoint (still the run's latest), or null when none was written. */
    readonly lastCheckpoint: string | null,
  ) {
    super(message, { code: 'model' });
    this.name = 'TrainingDivergedError';
  }
}
