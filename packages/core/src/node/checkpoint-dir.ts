/**
 * A checkpoint directory on disk: `manifest.json` + `weights.bin`, written atomically.
 *
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, DecodeOptions } from '../checkpoint.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, legacyCheckpointWarning, MANIFEST_FILE, WEIGHTS_FILE } from '../checkpoint.ts';
import { writeFileAtomic } from './fs.ts';

/** What {@link writeCheckpointDir} wrote. */
export interface WrittenCheckpoint {
  manifestPath: string;
  weightsPath: string;
  /** Size of `weights.bin` in bytes. */
  weightsByteLength: number;
  /** The checkpoint's identity: the manifest's `sha256` (covers architecture, metadata and weights). */
  sha256: string;
  /** SHA-256 of `weights.bin` (hex), as recorded in the manifest. */
  weightsSha256: string;
}

/**
 * Encodes `ck` and writes `dir/weights.bin` then `dir/manifest.json`, each atomically (temp file
 * + fsync + rename), creating `dir` if needed. Weights go first so a manifest never points at
 * weights that are not on disk; a crash between the two renames leaves the old manifest with the
 * new weights, which {@link readCheckpointDir} refuses (SHA-256 mismatch) rather than loading.
 * For a "latest is always loadable" guarantee, write each checkpoint to a fresh directory and
 * switch a pointer file afterwards.
 *
 * @example writeCheckpointDir('runs/a/checkpoint', checkpointFromParams(spec, params, { step }));
 */
export function writeCheckpointDir(dir: string, ck: Checkpoint): WrittenCheckpoint {
  const { manifest, weights } = encodeCheckpoint(ck);
  mkdirSync(dir, { recursive: true });
  const weightsPath = join(dir, WEIGHTS_FILE);
  const manifestPath = join(dir, MANIFEST_FILE);
  writeFileAtomic(weightsPath, weights);
  writeFileAtomic(manifestPath, manifest);
  const { sha256, weightsSha256 } = JSON.parse(manifest) as { sha256: string; weightsSha256: string };
  return { manifestPath, weightsPath, weightsByteLength: weights.length, sha256, weightsSha256 };
}

function readOrFail(path: string, file: typeof MANIFEST_FILE | typeof WEIGHTS_FILE): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : `cannot read (${(e as Error).message})`;
    throw new CheckpointError(`${path}: ${what}`, 'io', file);
  }
}

/** Options of {@link readCheckpointDir}. */
export interface ReadCheckpointOptions extends DecodeOptions {
  /**
   * Called with a one-line message when the checkpoint is a legacy version 1 (its hash covers the
   * weights only). Without it such a checkpoint is still loaded (its `integrity.scope` says so).
   */
  onWarning?: (message: string) => void;
  /** Refuse version 1 checkpoints instead of loading them. */
  requireFullHash?: boolean;
}

/**
 * Reads and decodes `dir/manifest.json` + `dir/weights.bin` with every check of
 * `decodeCheckpoint`. Errors are {@link CheckpointError}s whose message starts with the full path
 * of the file at fault.
 *
 * @example const ck = readCheckpointDir('runs/a/checkpoint', { onWarning: (m) => console.warn(m) });
 */
export function readCheckpointDir(dir: string, opts: ReadCheckpointOptions = {}): Checkpoint {
  const manifestPath = join(dir, MANIFEST_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const manifest = readOrFail(manifestPath, MANIFEST_FILE).toString('utf8');
  const weights = readOrFail(weightsPath, WEIGHTS_FILE);
  let ck: Checkpoint;
  try {
    // The Buffer is ours alone, so the tensors may view it when it is aligned.
    ck = decodeCheckpoint(manifest, weights, { copy: opts.copy ?? false });
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    const path = e.file === WEIGHTS_FILE ? weightsPath : manifestPath;
    const msg = e.message.startsWith(`${e.file ?? ''}: `) ? e.message.slice((e.file ?? '').length + 2) : e.message;
    const hint = e.reason === 'hash' && e.file === WEIGHTS_FILE ? ` (an interrupted write, or ${WEIGHTS_FILE} and ${MANIFEST_FILE} from different checkpoints)` : '';
    throw new CheckpointError(`${path}: ${msg}${hint}`, e.reason, e.file);
  }
  if (ck.integrity?.scope === 'weights-only') {
    if (opts.requireFullHash)
      throw new CheckpointError(
        `${manifestPath}: version 1 checkpoint refused: its SHA-256 covers ${WEIGHTS_FILE} only (re-save it with a current version)`,
        'version',
        MANIFEST_FILE,
      );
    opts.onWarning?.(legacyCheckpointWarning(manifestPath));
  }
  return ck;
}
