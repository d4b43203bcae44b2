/**
 * `interpret-fr-train`: the command line over {@link train}. Renders events as a progress line on a
 * TTY and as JSON lines otherwise; SIGINT saves a checkpoint and stops (exit code 130).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '@interpret-fr/core/node';
import type { BackendName } from './backend.ts';
import { ConfigError, PRESETS, applySet, resolveConfig, validateConfig } from './config.ts';
import type { TrainConfig } from './config.ts';
import type { TrainEvent } from './events.ts';
import { train } from './loop.ts';

export const USAGE = `interpret-fr-train: train an Interpret-FR model (tfjs)

Usage: interpret-fr-train [options]

  --preset NAME      ${Object.keys(PRESETS).join(' | ')} (default sad-fad)
  --config FILE      JSON file with a partial config (keys as in config.json of a run)
  --set KEY=VALUE    override one config key, e.g. --set loss.sad=0.5 (repeatable)
  --data SOURCE      synthetic | an identity-folder tree | a list file (path,label[,landmarks])
                     | a CASIA_all_images_110_110.DAT blob
  --out DIR          run directory (default <runs>/<preset>-<time>)
  --runs DIR         parent of the default run directory (default runs); a finished run
                     started there is recorded in DIR/latest
  --resume           continue the run in --out from its latest checkpoint
  --backend NAME     auto | tensorflow-gpu | tensorflow | wasm | cpu
  --steps N          number of optimizer steps (with --resume: the new total)
  --json             JSON lines even on a terminal
  --help             this text

Writes DIR/config.json, events.jsonl, checkpoints/, checkpoint (latest), loss.svg, summary.json,
and prints DIR on the last line. Ctrl-C saves a checkpoint; --resume continues exactly.`;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  /** Aborts training (the bin maps SIGINT to it). */
  signal?: AbortSignal;
}

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
      return `\r${parts.join(' | ')}\x1b[K`;
    }
    case 'backend':
      return `backend: ${e.name}${e.attempts
        .filter((a) => !a.ok)
        .map((a) => `\n  (${a.name}: ${a.reason})`)
        .join('')}\n`;
    case 'start':
      return `${e.resumedFrom !== null ? `resuming at step ${e.resumedFrom}` : 'training'} ${e.spec} (${e.params} params, ${e.numClasses} classes) on ${e.data.kind} ${e.data.path}: ${e.data.images} images, batch ${e.data.batchSize}, ${e.totalSteps} steps\n`;
    case 'data-warning':
      return `\nwarning: skipped ${e.path}: ${e.reason}\n`;
    case 'checkpoint':
      return null;
    case 'done':
      return `\n${e.reason === 'aborted' ? 'interrupted' : 'done'} at step ${e.step} in ${fmtTime(e.wallSeconds)}; checkpoint ${e.checkpoint}${e.evalAccuracy !== null ? `\naccuracy (inference mode, centre crops of training images): ${(100 * e.evalAccuracy).toFixed(1)}%` : ''}\n`;
  }
}

/**
 * Runs the CLI; returns the exit code (0 done, 1 error, 2 usage, 130 interrupted after saving).
 *
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let args;
  if (argv[0] === '--') argv = argv.slice(1); // `pnpm bin -- --preset …` passes the separator through
  try {
    args = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string' },
        config: { type: 'string' },
        set: { type: 'string', multiple: true },
        data: { type: 'string' },
        out: { type: 'string' },
        runs: { type: 'string' },
        resume: { type: 'boolean' },
        backend: { type: 'string' },
        steps: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: TrainConfig;
  let runDir: string;
  try {
    const sets = [...(args.set ?? [])];
    if (args.data !== undefined) sets.push(`data.source=${args.data}`);
    if (args.backend !== undefined) sets.push(`backend=${args.backend as BackendName}`);
    if (args.steps !== undefined) sets.push(`steps=${args.steps}`);
    if (args.resume) {
      if (!args.out) throw new ConfigError('--resume needs --out (the run directory to continue)');
      runDir = resolve(args.out);
      const file = join(runDir, 'config.json');
      if (!existsSync(file)) throw new ConfigError(`--resume: ${file} not found`);
      config = JSON.parse(readFileSync(file, 'utf8')) as TrainConfig;
      for (const s of sets) config = applySet(config, s);
      validateConfig(config);
    } else {
      const file = args.config ? (JSON.parse(readFileSync(args.config, 'utf8')) as unknown) : undefined;
      config = resolveConfig({ ...(args.preset !== undefined ? { preset: args.preset } : {}), ...(file !== undefined ? { file } : {}), sets });
      runDir = resolve(args.out ?? join(args.runs ?? 'runs', `${config.preset}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
    }
  } catch (e) {
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const tty = io.stdout.isTTY === true && !args.json;
  try {
    const res = await train(config, {
      runDir,
      resume: args.resume === true,
      ...(io.signal ? { signal: io.signal } : {}),
      onEvent: (e) => {
        if (!tty) io.stdout.write(`${JSON.stringify(e)}\n`);
        else {
          const line = progressLine(e);
          if (line) io.stdout.write(line);
        }
      },
    });
    // A default run directory (under --runs) is also recorded in <runs>/latest, so the main job's
    // export and evaluation steps find the run without parsing this output.
    if (!args.resume && args.out === undefined && res.reason !== 'aborted') {
      writeFileAtomic(join(resolve(args.runs ?? 'runs'), 'latest'), `${res.runDir}\n`);
    }
    io.stdout.write(`${res.runDir}\n`);
    return res.reason === 'aborted' ? 130 : 0;
  } catch (e) {
    io.stderr.write(`${tty ? '\n' : ''}error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
