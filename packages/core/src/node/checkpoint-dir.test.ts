import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointManifest } from '../checkpoint.ts';
import { CheckpointError, manifestDigest } from '../checkpoint.ts';
import { checkpointFromParams, paramsChecksum } from '../checkpoint-params.ts';
import { presets } from '../presets.ts';
import { Rng } from '../rng.ts';
import { sha256Hex } from '../sha256.ts';
import { paramInfos } from '../spec.ts';
import { readCheckpointDir, writeCheckpointDir } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-ck-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = presets['casia-net-tiny']({ numClasses: 5 });
function ck(seed: number) {
  const rng = new Rng(seed);
  const params = new Map(
    paramInfos(spec).map((p) => {
      const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
      for (let i = 0; i < a.length; i++) a[i] = rng.truncatedNormal(0.02);
      return [p.name, a] as const;
    }),
  );
  return checkpointFromParams(spec, params, { seed });
}

function failure(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('checkpoint directories', () => {
  it('round-trips bit-exactly through manifest.json + weights.bin, creating the directory', () => {
    const dir = join(root, 'a', 'nested');
    const c = ck(1);
    const w = writeCheckpointDir(dir, c);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'weights.bin']);
    expect(w.weightsSha256).toBe(sha256Hex(readFileSync(join(dir, 'weights.bin'))));
    expect(w.sha256).toBe(manifestDigest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest));
    expect(w.weightsByteLength).toBe(readFileSync(join(dir, 'weights.bin')).length);
    const back = readCheckpointDir(dir);
    expect(paramsChecksum(back.tensors)).toBe(paramsChecksum(c.tensors));
    expect(back.tensors.map((t) => [...t.data.subarray(0, 3)])).toEqual(c.tensors.map((t) => [...t.data.subarray(0, 3)]));
    expect(back.meta).toEqual({ seed: 1 });
    // Overwriting with another checkpoint replaces both files.
    writeCheckpointDir(dir, ck(2));
    expect(readCheckpointDir(dir).meta).toEqual({ seed: 2 });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'weights.bin']);
  });

  it('names the missing file', () => {
    const dir = join(root, 'missing');
    expect(failure(() => readCheckpointDir(dir)).message).toBe(`${join(dir, 'manifest.json')}: file not found`);
    writeCheckpointDir(dir, ck(3));
    rmSync(join(dir, 'weights.bin'));
    const e = failure(() => readCheckpointDir(dir));
    expect(e.message).toBe(`${join(dir, 'weights.bin')}: file not found`);
    expect(e.reason).toBe('io');
  });

  it('names weights.bin when truncated or corrupt, manifest.json when it is bad', () => {
    const dir = join(root, 'bad');
    const w = writeCheckpointDir(dir, ck(4));
    truncateSync(w.weightsPath, w.weightsByteLength - 100);
    const t = failure(() => readCheckpointDir(dir));
    expect(t.reason).toBe('truncated');
    expect(t.message).toBe(`${w.weightsPath}: truncated: manifest.json expects ${w.weightsByteLength} bytes, got ${w.weightsByteLength - 100}`);

    writeCheckpointDir(dir, ck(4));
    const bytes = readFileSync(w.weightsPath);
    bytes[1234]! ^= 1;
    writeFileSync(w.weightsPath, bytes);
    const h = failure(() => readCheckpointDir(dir));
    expect(h.reason).toBe('hash');
    expect(h.message).toMatch(new RegExp(`^${w.weightsPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 mismatch.*interrupted write`));

    writeCheckpointDir(dir, ck(4));
    const m = JSON.parse(readFileSync(w.manifestPath, 'utf8')) as CheckpointManifest;
    m.tensors[0]!.shape = [3, 3, 4, 3];
    writeFileSync(w.manifestPath, JSON.stringify(m));
    const edited = failure(() => readCheckpointDir(dir));
    expect(edited.reason).toBe('hash');
    expect(edited.message).toMatch(new RegExp(`^${w.manifestPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 mismatch: the manifest was edited`));
    m.sha256 = manifestDigest(m);
    writeFileSync(w.manifestPath, JSON.stringify(m));
    const s = failure(() => readCheckpointDir(dir));
    expect(s.message).toBe(`${w.manifestPath}: tensors[0] ("k0_1/kernel"): tensor "k0_1/kernel" has shape [3, 3, 4, 3] but the spec needs [3, 3, 3, 4]`);
    writeFileSync(w.manifestPath, '{"format":');
    expect(failure(() => readCheckpointDir(dir)).message).toMatch(new RegExp(`^${w.manifestPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });

  it('old manifest + new weights (a crash between the two renames) is refused, not loaded', () => {
    const dir = join(root, 'crash');
    writeCheckpointDir(dir, ck(5));
    const oldManifest = readFileSync(join(dir, 'manifest.json'));
    writeCheckpointDir(dir, ck(6));
    writeFileSync(join(dir, 'manifest.json'), oldManifest);
    expect(failure(() => readCheckpointDir(dir)).reason).toBe('hash');
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
  });
});
