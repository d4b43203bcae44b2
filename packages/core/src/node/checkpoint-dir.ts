/**
 * A checkpoint directory on disk: `manifest.json` + `weights.bin`, written atomically.
 *
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, DecodeOptions } from '../checkpoint.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, MANIFEST_FILE, WEIGHTS_FILE } from '../checkpoint.ts';
import { writeFileAtomic } from './fs.ts';

/** What {@link writeCheckpointDir} wrote. */
export interface WrittenCheckpoint {
  manifestPath: string;
  weightsPath: string;
  /** Size of `weights.bin` in bytes. */
  weightsByteLength: number;
  /** SHA-256 of `weights.bin` (hex), as recorded in the manifest. */
  sha256: string;
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
  const sha256 = (JSON.parse(manifest) as { sha256: string }).sha256;
  return { manifestPath, weightsPath, weightsByteLength: weights.length, sha256 };
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

/**
 * Reads and decodes `dir/manifest.json` + `dir/weights.bin` with every check of
 * `decodeCheckpoint`. Errors are {@link CheckpointError}s whose message starts with the full path
 * of the file at fault.
 *
 * @example const ck = readCheckpointDir('runs/a/checkpoint');
 */
export function readCheckpointDir(dir: string, opts: DecodeOptions = {}): Checkpoint {
  const manifestPath = join(dir, MANIFEST_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const manifest = readOrFail(manifestPath, MANIFEST_FILE).toString('utf8');
  const weights = readOrFail(weightsPath, WEIGHTS_FILE);
  try {
    // The Buffer is ours alone, so the tensors may view it when it is aligned.
    return decodeCheckpoint(manifest, weights, { copy: false, ...opts });
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    const path = e.file === WEIGHTS_FILE ? weightsPath : manifestPath;
    const msg = e.message.startsWith(`${e.file ?? ''}: `) ? e.message.slice((e.file ?? '').length + 2) : e.message;
    const hint = e.reason === 'hash' ? ` (an interrupted write, or ${WEIGHTS_FILE} and ${MANIFEST_FILE} from different checkpoints)` : '';
    throw new CheckpointError(`${path}: ${msg}${hint}`, e.reason, e.file);
  }
}
