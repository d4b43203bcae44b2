/**
 * `interpret-fr-train`: the command line over {@link train} (core CLI kit). Renders events on stderr
 * as a progress line on a TTY and as JSON lines otherwise; SIGINT and SIGTERM save a checkpoint and stop
 * (exit codes 130 and 143).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT_CODES } from '@interpret-fr/core';
import { defineCli, processIo, readJsonFile, runCli, usageError, writeLatestRun } from '@interpret-fr/core/node';
import type { CliIo } from '@interpret-fr/core/node';
import type { BackendName } from './backend-info.ts';
import { ConfigError, PRESETS, applySet, resolveConfig, validateConfig } from './config.ts';
import type { TrainConfig } from './config.ts';
import type { TrainEvent } from './events.ts';
import { train } from './train.ts';

/** The command line: options and help. */
export const CLI = defineCli({
  name: 'interpret-fr-train',
  summary: 'train an Interpret-FR model (tfjs)',
  options: {
    preset: { type: 'string', arg: 'NAME', description: `${Object.keys(PRESETS).join(' | ')} (default sad-fad)` },
    config: { type: 'string', arg: 'FILE', description: 'JSON file with a partial config (keys as in config.json of a run)' },
    set: { type: 'string', multiple: true, arg: 'KEY=VALUE', description: 'override one config key, e.g. --set loss.sad=0.5 (repeatable)' },
    data: { type: 'string', arg: 'SOURCE', description: 'synthetic | an identity-folder tree | a list file (path,label[,landmarks])\n| a CASIA_all_images_110_110.DAT blob' },
    out: { type: 'string', arg: 'DIR', description: 'run directory (default <runs>/<preset>-<time>)' },
    runs: { type: 'string', arg: 'DIR', description: 'parent of the default run directory (default runs); a finished run\nstarted there is recorded in DIR/latest' },
    resume: { type: 'boolean', description: 'continue the run in --out from its latest checkpoint' },
    backend: { type: 'string', arg: 'NAME', description: 'auto | tensorflow-gpu | tensorflow | wasm | cpu' },
    steps: { type: 'string', arg: 'N', description: 'number of optimizer steps (with --resume: the new total)' },
    seed: { type: 'string', arg: 'N', description: 'seed of initialisation, dropout, occlusion and data order (integer ≥ 0)' },
    json: { type: 'boolean', description: 'progress as JSON lines on stderr even on a terminal' },
  },
  epilog: `Writes DIR/config.json, events.jsonl, checkpoints/, checkpoint (latest), loss.svg, summary.json,
and prints DIR on the last line of stdout. Progress goes to stderr: a redrawn line on a terminal,
JSON lines (the events) otherwise. Ctrl-C (SIGINT) or SIGTERM saves a checkpoint (exit code 130 or
143); --resume continues exactly. A second process writing the same DIR is refused (DIR/run.lock
names the holder's pid).`,
});

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

function progressLine(e: TrainEvent): string | null {
  switch (e.type) {
    case 'step': {
      const l = e.losses;
      const parts = [`step ${e.step}/${e.totalSteps}`, `epoch ${e.epoch}`];
      if (l) {
        parts.push(`loss ${l.total.toFixed(4)}`, `ce ${l.ce.toFixed(3)}`, `acc ${(100 * l.accuracy).toFixed(1)}%`);
        if (l.accuracyOcc !== undefined) parts.push(`occ acc ${(100 * l.accuracyOcc).toFixed(1)}%`);
      }
      parts.push(`${e.imagesPerSecond.toFixed(2)} img/s`, `ETA ${fmtTime(e.etaSeconds)}`);
      return parts.join(' | ');
    }
    case 'backend':
      return `backend: ${e.name}${e.attempts
        .filter((a) => !a.ok)
        .map((a) => `\n  (${a.name}: ${a.reason})`)
        .join('')}`;
    case 'start':
      return `${e.resumedFrom !== null ? `resuming at step ${e.resumedFrom}` : 'training'} ${e.spec} (${e.params} params, ${e.numClasses} classes) on ${e.data.kind} ${e.data.path}: ${e.data.images} images, batch ${e.data.batchSize}, ${e.totalSteps} steps`;
    case 'data-warning':
      return `warning: skipped ${e.path}: ${e.reason}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'diverged':
      return null; // The error line says it.
    case 'checkpoint':
      return null;
    case 'done':
      return `${e.reason === 'aborted' ? 'interrupted' : 'done'} at step ${e.step} in ${fmtTime(e.wallSeconds)}; checkpoint ${e.checkpoint}${e.evalAccuracy !== null ? `\naccuracy (inference mode, centre crops of training images): ${(100 * e.evalAccuracy).toFixed(1)}%` : ''}`;
  }
}

/**
 * Runs the CLI; returns the exit code (core's EXIT_CODES: 0 done, 1 error, 2 usage or config,
 * 130/143 interrupted by SIGINT/SIGTERM after saving).
 *
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCli(CLI, argv, io, async ({ values: args }, ctx) => {
    let config: TrainConfig;
    let runDir: string;
    const sets = [...(args.set ?? [])];
    // Option → config key; a bad value is reported against the option the user typed.
    const flags: [string, string | undefined, string][] = [
      ['--data', args.data, 'data.source'],
      ['--backend', args.backend as BackendName | undefined, 'backend'],
      ['--steps', args.steps, 'steps'],
      ['--seed', args.seed, 'seed'],
    ];
    const applyFlags = (cfg: TrainConfig): TrainConfig => {
      for (const [flag, v, key] of flags) {
        if (v === undefined) continue;
        try {
          cfg = applySet(cfg, `${key}=${v}`);
        } catch (e) {
          throw usageError(`${flag}: ${(e as Error).message.replace(/^config key "[^"]+": /, '')}`);
        }
      }
      return cfg;
    };
    if (args.resume) {
      if (!args.out) throw usageError('--resume needs --out (the run directory to continue)');
      runDir = resolve(args.out);
      const file = join(runDir, 'config.json');
      if (!existsSync(file)) throw new ConfigError(`--resume: ${file} not found`);
      config = readJsonFile(file) as TrainConfig;
      for (const s of sets) config = applySet(config, s);
      config = validateConfig(applyFlags(config));
    } else {
      const file = args.config ? readJsonFile(args.config) : undefined;
      config = resolveConfig({ ...(args.preset !== undefined ? { preset: args.preset } : {}), ...(file !== undefined ? { file } : {}), sets });
      config = validateConfig(applyFlags(config));
      runDir = resolve(args.out ?? join(args.runs ?? 'runs', `${config.preset}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
    }
    const progress = ctx.progress(args.json ? { json: true } : {});
    const res = await train(config, {
      runDir,
      resume: args.resume === true,
      ...(io.signal ? { signal: io.signal } : {}),
      onEvent: (e) => {
        if (e.type === 'step') progress.update(e, progressLine(e)!);
        else progress.note(e, progressLine(e));
      },
    });
    // A default run directory (under --runs) is also recorded in <runs>/latest, so the main job's
    // export and evaluation steps find the run without parsing this output.
    if (!args.resume && args.out === undefined && res.reason !== 'aborted') writeLatestRun(resolve(args.runs ?? 'runs'), res.runDir);
    progress.end();
    io.stdout.write(`${res.runDir}\n`);
    // 128 + the signal number: 130 after SIGINT, 143 after SIGTERM.
    return res.reason === 'aborted' ? (io.signal?.reason === 'SIGTERM' ? 143 : EXIT_CODES.interrupted) : EXIT_CODES.ok;
  });
}
