/**
 * Typed training configuration: defaults in code (method.md §4.5, §5), presets as small JSON files of
 * differences (`base`, `sad`, `sad-fad`, `tiny`), `--set a.b=v` overrides checked against a schema
 * (unknown keys are errors naming the key; wrong types say what was expected).
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { PresetName } from '@interpret-fr/core';
import { didYouMean } from '@interpret-fr/core/node';
import type { BackendName } from './backend-info.ts';
import type { LossWeights } from './loss-weights.ts';
import base from './presets/base.json' with { type: 'json' };
import sad from './presets/sad.json' with { type: 'json' };
import sadFad from './presets/sad-fad.json' with { type: 'json' };
import tiny from './presets/tiny.json' with { type: 'json' };
import smallBase from './presets/small-base.json' with { type: 'json' };
import smallSad from './presets/small-sad.json' with { type: 'json' };
import smallSadFad from './presets/small-sad-fad.json' with { type: 'json' };

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
  /**
   * Teacher descriptors for the distillation term: a raw little-endian float32 file of
   * (images × model.distillDim) numbers, one row per image of the source in its order; a row of NaN
   * means "no descriptor" (the term skips that image).
   */
  teacher: string | null;
}

/** The whole training configuration. */
export interface TrainConfig {
  /** Name of the preset this config started from (informational). */
  preset: TrainPresetName;
  /** `distillDim`: size of the teacher descriptor the distillation head maps to (null = no head). */
  model: { spec: PresetName; topkCompare: 'ge' | 'gt'; numClasses: number | null; distillDim: number | null };
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
  model: { spec: 'interpretable', topkCompare: 'ge', numClasses: null, distillDim: null },
  backend: 'auto',
  seed: 1,
  batchSize: 64,
  steps: null,
  epochs: 1,
  optimizer: { lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 },
  loss: { ce: 2, ceOcc: 2, sad: 1, sadOcc: 1, weightDiversity: 100, fad: 0.1, fadKeep: null, distill: 0 },
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
    teacher: null,
  },
};

/** Names of the trainer's presets (the JSON files of differences in `presets/`). */
export type TrainPresetName = 'base' | 'sad' | 'sad-fad' | 'tiny' | 'small-base' | 'small-sad' | 'small-sad-fad';

/** Preset differences, by name (a missing or unknown name is a compile error). */
export const PRESETS: Record<TrainPresetName, unknown> = { base, sad, 'sad-fad': sadFad, tiny, 'small-base': smallBase, 'small-sad': smallSad, 'small-sad-fad': smallSadFad };

/** Whether `name` is one of {@link PRESETS}. */
export function isTrainPresetName(name: string): name is TrainPresetName {
  return Object.hasOwn(PRESETS, name);
}

type NullFlag<T> = null extends T ? true : false;
/** The schema leaf a config value of type `T` needs: the kind follows the type, `oneOf` lists every member of a string union. */
type LeafOf<T> = [NonNullable<T>] extends [boolean]
  ? { t: 'bool'; nullable: NullFlag<T> }
  : [NonNullable<T>] extends [number]
    ? { t: 'number' | 'int'; min?: number; max?: number; nullable: NullFlag<T> }
    : string extends NonNullable<T>
      ? { t: 'string'; nullable: NullFlag<T> }
      : [NonNullable<T>] extends [string]
        ? { t: 'string'; oneOf: Record<NonNullable<T>, true>; nullable: NullFlag<T> }
        : never;
/**
 * The schema of a config type, derived from it: one entry per key (a missing or extra key is a
 * compile error), sections for nested objects, leaves whose kind, nullability and choices follow
 * the key's type (a wrong enum value or a forgotten member is a compile error).
 */
export type SchemaOf<T> = { [K in keyof T]-?: NonNullable<T[K]> extends object ? SchemaOf<NonNullable<T[K]>> : LeafOf<T[K]> };

type Leaf = { t: 'number' | 'int' | 'bool' | 'string'; nullable: boolean; min?: number | undefined; max?: number | undefined; oneOf?: Record<string, true> };
type Schema = { [k: string]: Leaf | Schema };
const num = (min?: number, max?: number) => ({ t: 'number', min, max, nullable: false }) as const;
const int = (min?: number) => ({ t: 'int', min, nullable: false }) as const;
const intOrNull = (min?: number) => ({ t: 'int', min, nullable: true }) as const;
const oneOf = <U extends string>(choices: Record<U, true>) => ({ t: 'string', oneOf: choices, nullable: false }) as const;
const str = () => ({ t: 'string', nullable: false }) as const;
const strOrNull = () => ({ t: 'string', nullable: true }) as const;
const bool = () => ({ t: 'bool', nullable: false }) as const;

const TYPED_SCHEMA: SchemaOf<TrainConfig> = {
  preset: oneOf<TrainPresetName>({ base: true, sad: true, 'sad-fad': true, tiny: true, 'small-base': true, 'small-sad': true, 'small-sad-fad': true }),
  model: {
    spec: oneOf<PresetName>({ 'casia-net': true, interpretable: true, 'casia-net-tiny': true, 'interpretable-tiny': true, 'casia-net-small': true, 'interpretable-small': true }),
    topkCompare: oneOf<'ge' | 'gt'>({ ge: true, gt: true }),
    numClasses: intOrNull(1),
    distillDim: intOrNull(1),
  },
  backend: oneOf<BackendName>({ auto: true, 'tensorflow-gpu': true, tensorflow: true, wasm: true, cpu: true }),
  seed: int(0),
  batchSize: int(1),
  steps: intOrNull(0),
  epochs: intOrNull(1),
  optimizer: { lr: num(0), beta1: num(0, 1), beta2: num(0, 1), epsilon: num(0) },
  loss: { ce: num(0), ceOcc: num(0), sad: num(0), sadOcc: num(0), weightDiversity: num(0), fad: num(0), fadKeep: intOrNull(1), distill: num(0) },
  occlusion: { positions: oneOf({ original: true, uniform: true }), size: oneOf({ fixed: true, random: true }), occluder: strOrNull() },
  init: { from: strOrNull(), loadRunningStats: bool() },
  checkpointEvery: int(1),
  keepLast: int(1),
  logEvery: int(1),
  evalImages: int(0),
  data: {
    source: str(),
    format: oneOf({ auto: true, synthetic: true, folder: true, list: true, dat: true }),
    list: strOrNull(),
    teacher: strOrNull(),
    landmarks: strOrNull(),
    order: oneOf({ shuffle: true, fixed: true }),
    crop: oneOf({ random: true, center: true }),
    sourceSize: int(1),
    cropSize: int(1),
    cacheDir: str(),
    cacheBytes: num(0),
    synthetic: { seed: int(0), identities: int(2), imagesPerIdentity: int(1), occluderRate: num(0, 1) },
  },
};
const SCHEMA = TYPED_SCHEMA as unknown as Schema;

/** A config problem: names the key and what was expected. */
export class ConfigError extends InterpretFrError {
  constructor(message: string) {
    super(message, { code: 'config' });
    this.name = 'ConfigError';
  }
}

const isLeaf = (s: Leaf | Schema): s is Leaf => typeof (s as Leaf).t === 'string';

function expected(l: Leaf): string {
  const base = l.oneOf
    ? `one of ${Object.keys(l.oneOf)
        .map((v) => JSON.stringify(v))
        .join(', ')}`
    : l.t === 'int'
      ? 'an integer'
      : l.t === 'bool'
        ? 'true or false'
        : `a ${l.t}`;
  const range = l.min !== undefined || l.max !== undefined ? ` in [${l.min ?? '-inf'}, ${l.max ?? 'inf'}]` : '';
  return `${base}${range}${l.nullable ? ' or null' : ''}`;
}

function checkLeaf(key: string, l: Leaf, v: unknown): void {
  const ok =
    (v === null && l.nullable) ||
    (l.t === 'bool' && typeof v === 'boolean') ||
    (l.t === 'string' && typeof v === 'string' && (!l.oneOf || Object.hasOwn(l.oneOf, v))) ||
    ((l.t === 'number' || l.t === 'int') &&
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (l.t === 'number' || Number.isInteger(v)) &&
      (l.min === undefined || v >= l.min) &&
      (l.max === undefined || v <= l.max));
  if (!ok) {
    const guess = l.oneOf && typeof v === 'string' ? didYouMean(v, Object.keys(l.oneOf)) : undefined;
    throw new ConfigError(`config key "${key}": expected ${expected(l)}, got ${JSON.stringify(v)}${guess !== undefined ? `; did you mean "${guess}"?` : ''}`);
  }
}

function schemaAt(path: string[]): Leaf | Schema {
  let s: Leaf | Schema = SCHEMA;
  path.forEach((k, i) => {
    if (isLeaf(s) || !Object.hasOwn(s, k)) {
      const parent = path.slice(0, i).join('.');
      const known = isLeaf(s) ? [] : Object.keys(s);
      const guess = didYouMean(k, known);
      const hint =
        guess !== undefined
          ? `; did you mean "${[...path.slice(0, i), guess].join('.')}"?`
          : known.length
            ? `; known keys${parent ? ` of "${parent}"` : ''}: ${known.join(', ')}`
            : '';
      throw new ConfigError(`unknown config key "${path.slice(0, i + 1).join('.')}"${hint}`);
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
  if (!isTrainPresetName(presetName)) {
    const guess = didYouMean(presetName, Object.keys(PRESETS));
    throw new ConfigError(`unknown preset "${presetName}"; ${guess !== undefined ? `did you mean "${guess}"? ` : ''}expected one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const diff = PRESETS[presetName];
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
  if ((cfg.loss.distill ?? 0) > 0 && (cfg.model.distillDim === null || cfg.data.teacher === null))
    throw new ConfigError('config key "loss.distill": the distillation term needs model.distillDim and data.teacher');
  if (cfg.data.cropSize > cfg.data.sourceSize) throw new ConfigError(`config key "data.cropSize": ${cfg.data.cropSize} exceeds data.sourceSize ${cfg.data.sourceSize}`);
  return cfg;
}
