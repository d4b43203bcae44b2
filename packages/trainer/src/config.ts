/**
 * Typed training configuration: defaults in code (method.md §4.5, §5), presets as small JSON files of
 * differences (`base`, `sad`, `sad-fad`, `tiny`), `--set a.b=v` overrides checked against a schema
 * (unknown keys are errors naming the key; wrong types say what was expected).
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { PresetName } from '@interpret-fr/core';
import type { BackendName } from './backend.ts';
import type { LossWeights } from './objective.ts';
import base from './presets/base.json' with { type: 'json' };
import sad from './presets/sad.json' with { type: 'json' };
import sadFad from './presets/sad-fad.json' with { type: 'json' };
import tiny from './presets/tiny.json' with { type: 'json' };

/**
 * Loss weights (a weight of 0 skips the term). `fadKeep` = number of least-changed dims FAD keeps;
 * null = 260/320 of the feature size (260 for the full specs, 33 for the tiny ones).
 */
export type LossWeightsConfig = Omit<LossWeights, 'fadKeep'> & { fadKeep: number | null };

/** Where the images come from. */
export interface DataConfig {
  /** `synthetic`, an identity-folder tree, a list file, or a `.DAT` blob. */
  source: string;
  format: 'auto' | 'synthetic' | 'folder' | 'list' | 'dat';
  /** For `dat`: the CSV list (default `CASIA_recrop_fileList.DAT` beside the blob). */
  list: string | null;
  /** Separate landmarks file (one line of 136 numbers per image). */
  landmarks: string | null;
  order: 'shuffle' | 'fixed';
  crop: 'random' | 'center';
  sourceSize: number;
  cropSize: number;
  /** Where the synthetic set is generated (relative to the working directory). */
  cacheDir: string;
  /** Decoded images are kept in memory when the whole set is smaller than this (bytes). */
  cacheBytes: number;
  synthetic: { seed: number; identities: number; imagesPerIdentity: number; occluderRate: number };
}

/** The whole training configuration. */
export interface TrainConfig {
  /** Name of the preset this config started from (informational). */
  preset: string;
  model: { spec: PresetName; topkCompare: 'ge' | 'gt'; numClasses: number | null };
  backend: BackendName;
  seed: number;
  batchSize: number;
  /** Number of optimizer steps; null = derive from `epochs`. */
  steps: number | null;
  epochs: number | null;
  optimizer: { lr: number; beta1: number; beta2: number; epsilon: number };
  loss: LossWeightsConfig;
  occlusion: { positions: 'original' | 'uniform'; size: 'fixed' | 'random'; occluder: string | null };
  /** Pretrain-then-finetune: a checkpoint directory whose backbone initialises this run. */
  init: { from: string | null; loadRunningStats: boolean };
  checkpointEvery: number;
  keepLast: number;
  /** Loss values are read back (a GPU sync) every this many steps. */
  logEvery: number;
  /** After training, accuracy in inference mode on this many centre-cropped training images (0 = skip). */
  evalImages: number;
  data: DataConfig;
}

/** Defaults (the original's `sad-fad` recipe, method.md §4.5 and §5). */
export const DEFAULT_CONFIG: TrainConfig = {
  preset: 'sad-fad',
  model: { spec: 'interpretable', topkCompare: 'ge', numClasses: null },
  backend: 'auto',
  seed: 1,
  batchSize: 64,
  steps: null,
  epochs: 1,
  optimizer: { lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 },
  loss: { ce: 2, ceOcc: 2, sad: 1, sadOcc: 1, weightDiversity: 100, fad: 0.1, fadKeep: null },
  occlusion: { positions: 'original', size: 'fixed', occluder: null },
  init: { from: null, loadRunningStats: true },
  checkpointEvery: 1000,
  keepLast: 3,
  logEvery: 25,
  evalImages: 256,
  data: {
    source: 'synthetic',
    format: 'auto',
    list: null,
    landmarks: null,
    order: 'shuffle',
    crop: 'random',
    sourceSize: 110,
    cropSize: 96,
    cacheDir: '.cache/interpret-fr',
    cacheBytes: 2 * 1024 ** 3,
    synthetic: { seed: 7, identities: 20, imagesPerIdentity: 24, occluderRate: 0.2 },
  },
};

/** Preset differences, by name. */
export const PRESETS: Record<string, unknown> = { base, sad, 'sad-fad': sadFad, tiny };

type Leaf = { t: 'number' | 'int' | 'bool' | 'string'; nullable?: boolean; min?: number; max?: number; oneOf?: readonly string[] };
type Schema = { [k: string]: Leaf | Schema };
const num = (min?: number, max?: number): Leaf => ({ t: 'number', min, max });
const int = (min?: number, nullable = false): Leaf => ({ t: 'int', min, nullable });
const oneOf = (...v: string[]): Leaf => ({ t: 'string', oneOf: v });
const str = (nullable = false): Leaf => ({ t: 'string', nullable });

const SCHEMA: Schema = {
  preset: str(),
  model: { spec: oneOf('casia-net', 'interpretable', 'casia-net-tiny', 'interpretable-tiny'), topkCompare: oneOf('ge', 'gt'), numClasses: int(1, true) },
  backend: oneOf('auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'),
  seed: int(0),
  batchSize: int(1),
  steps: int(0, true),
  epochs: int(1, true),
  optimizer: { lr: num(0), beta1: num(0, 1), beta2: num(0, 1), epsilon: num(0) },
  loss: { ce: num(0), ceOcc: num(0), sad: num(0), sadOcc: num(0), weightDiversity: num(0), fad: num(0), fadKeep: int(1, true) },
  occlusion: { positions: oneOf('original', 'uniform'), size: oneOf('fixed', 'random'), occluder: str(true) },
  init: { from: str(true), loadRunningStats: { t: 'bool' } },
  checkpointEvery: int(1),
  keepLast: int(1),
  logEvery: int(1),
  evalImages: int(0),
  data: {
    source: str(),
    format: oneOf('auto', 'synthetic', 'folder', 'list', 'dat'),
    list: str(true),
    landmarks: str(true),
    order: oneOf('shuffle', 'fixed'),
    crop: oneOf('random', 'center'),
    sourceSize: int(1),
    cropSize: int(1),
    cacheDir: str(),
    cacheBytes: num(0),
    synthetic: { seed: int(0), identities: int(2), imagesPerIdentity: int(1), occluderRate: num(0, 1) },
  },
};

/** A config problem: names the key and what was expected. */
export class ConfigError extends InterpretFrError {
  constructor(message: string) {
    super(message, { code: 'config' });
    this.name = 'ConfigError';
  }
}

const isLeaf = (s: Leaf | Schema): s is Leaf => typeof (s as Leaf).t === 'string';

function expected(l: Leaf): string {
  const base = l.oneOf ? `one of ${l.oneOf.map((v) => JSON.stringify(v)).join(', ')}` : l.t === 'int' ? 'an integer' : l.t === 'bool' ? 'true or false' : `a ${l.t}`;
  const range = l.min !== undefined || l.max !== undefined ? ` in [${l.min ?? '-inf'}, ${l.max ?? 'inf'}]` : '';
  return `${base}${range}${l.nullable ? ' or null' : ''}`;
}

function checkLeaf(key: string, l: Leaf, v: unknown): void {
  const ok =
    (v === null && l.nullable) ||
    (l.t === 'bool' && typeof v === 'boolean') ||
    (l.t === 'string' && typeof v === 'string' && (!l.oneOf || l.oneOf.includes(v))) ||
    ((l.t === 'number' || l.t === 'int') &&
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (l.t === 'number' || Number.isInteger(v)) &&
      (l.min === undefined || v >= l.min) &&
      (l.max === undefined || v <= l.max));
  if (!ok) throw new ConfigError(`config key "${key}": expected ${expected(l)}, got ${JSON.stringify(v)}`);
}

function schemaAt(path: string[]): Leaf | Schema {
  let s: Leaf | Schema = SCHEMA;
  path.forEach((k, i) => {
    if (isLeaf(s) || !(k in s)) {
      const parent = path.slice(0, i).join('.');
      const known = isLeaf(s) ? [] : Object.keys(s);
      throw new ConfigError(`unknown config key "${path.slice(0, i + 1).join('.')}"${known.length ? `; known keys${parent ? ` of "${parent}"` : ''}: ${known.join(', ')}` : ''}`);
    }
    s = (s as Schema)[k]!;
  });
  return s;
}

/** Deep-merges a (partial) config object into `into`, checking every key and value; returns a new object. */
export function mergeConfig<T>(into: T, diff: unknown, path: string[] = []): T {
  const s = schemaAt(path);
  if (isLeaf(s)) {
    checkLeaf(path.join('.'), s, diff);
    return diff as T;
  }
  if (typeof diff !== 'object' || diff === null || Array.isArray(diff))
    throw new ConfigError(`config key "${path.join('.') || '(root)'}": expected an object, got ${JSON.stringify(diff)}`);
  const out: Record<string, unknown> = { ...(into as Record<string, unknown>) };
  for (const [k, v] of Object.entries(diff)) out[k] = mergeConfig(out[k], v, [...path, k]);
  return out as T;
}

/** Parses one `a.b=value` override (value as JSON when it parses, else as a string) and applies it. */
export function applySet(cfg: TrainConfig, assignment: string): TrainConfig {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set expects key=value, got ${JSON.stringify(assignment)}`);
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const path = key.split('.');
  const s = schemaAt(path);
  if (!isLeaf(s)) throw new ConfigError(`config key "${key}" is a section (keys: ${Object.keys(s).join(', ')}); set one of its keys`);
  if (s.t === 'string' && typeof value !== 'string' && value !== null) value = raw;
  const diff = path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value);
  return mergeConfig(cfg, diff);
}

/** Inputs of {@link resolveConfig}, in increasing precedence. */
export interface ConfigSources {
  preset?: string;
  /** Parsed JSON of a `--config` file (a partial config). */
  file?: unknown;
  sets?: string[];
}

/**
 * Defaults ← preset ← config file ← `--set` overrides, each layer checked.
 *
 * @example resolveConfig({ preset: 'tiny', sets: ['loss.sad=0.5', 'steps=100'] })
 */
export function resolveConfig(src: ConfigSources = {}): TrainConfig {
  const presetName = src.preset ?? (typeof (src.file as { preset?: unknown })?.preset === 'string' ? (src.file as { preset: string }).preset : 'sad-fad');
  const diff = PRESETS[presetName];
  if (!diff) throw new ConfigError(`unknown preset "${presetName}"; expected one of ${Object.keys(PRESETS).join(', ')}`);
  let cfg = mergeConfig(structuredClone(DEFAULT_CONFIG), diff);
  cfg.preset = presetName;
  if (src.file !== undefined) cfg = mergeConfig(cfg, src.file);
  for (const s of src.sets ?? []) cfg = applySet(cfg, s);
  return validateConfig(cfg);
}

/** Cross-field checks of a complete config; returns it. */
export function validateConfig(cfg: TrainConfig): TrainConfig {
  mergeConfig(DEFAULT_CONFIG, cfg);
  if (cfg.steps === null && cfg.epochs === null) throw new ConfigError('config: set "steps" or "epochs"');
  if (cfg.data.cropSize > cfg.data.sourceSize) throw new ConfigError(`config key "data.cropSize": ${cfg.data.cropSize} exceeds data.sourceSize ${cfg.data.sourceSize}`);
  return cfg;
}
