/**
 * `interpret-fr-eval <command> …`: the evaluation CLI (on the core CLI kit). `main(argv, io)` returns
 * the exit code and never calls `process.exit`; `bin/interpret-fr-eval.mjs` is the only entry that
 * sets it.
 *
 * @module
 */
import { EXIT_CODES } from '@interpret-fr/core';
import { didYouMean, processIo, runCli, type CliContext, type CliIo, type CliSpec, type ParsedCli } from '@interpret-fr/core/node';
import { IJBA_CLI, IJBC_CLI, PAIRS_CLI, ijbaCommand, ijbcCommand, pairsCommand } from './protocol-commands.ts';

// Each command: its CLI spec and body, loaded on demand (the model commands pull in the inference package).
type Command = { cli: CliSpec; run: (args: ParsedCli<CliSpec['options']>, ctx: CliContext) => Promise<number> };
const command = <S extends CliSpec>(cli: S, run: (args: ParsedCli<S['options']>, ctx: CliContext) => Promise<number>): Command => ({ cli, run: run as Command['run'] });

const commands = new Map<string, () => Promise<Command>>([
  ['ijba', async () => command(IJBA_CLI, ijbaCommand)],
  ['pairs', async () => command(PAIRS_CLI, pairsCommand)],
  ['ijbc', async () => command(IJBC_CLI, ijbcCommand)],
  [
    'occlusion',
    async () => {
      const m = await import('./model-commands.ts');
      return command(m.OCCLUSION_CLI, m.occlusionCommand);
    },
  ],
  [
    'peaks',
    async () => {
      const m = await import('./model-commands.ts');
      return command(m.PEAKS_CLI, m.peaksCommand);
    },
  ],
  [
    'synthetic',
    async () => {
      const m = await import('./model-commands.ts');
      return command(m.SYNTHETIC_CLI, m.syntheticCommand);
    },
  ],
]);

export const HELP = `interpret-fr-eval <command> [options]   (each command has --help; --debug prints stack traces)

  ijba        IJB-A 1:1 + 1:N over 10 splits (precomputed .npy features or a model + images)
  pairs       LFW View 1/2 pairs.txt or a generic pair list: 10-fold accuracy, AUC, EER, TAR@FAR
  ijbc        IJB-B/C 1:1 from insightface meta files: TAR@FAR 1e-6 … 1e-1
  occlusion   verification with black windows at face regions + per-filter |Δf| table and heat map
  peaks       per-filter average peak locations, spreads and d from response maps (+ figure)
  synthetic   the main job's evaluation on the built-in synthetic set (pairs, occlusion, peaks)

Commands that load a model check its integrity seal (--no-verify skips it).
Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted.
`;

/** Runs the CLI; returns the exit code (core's EXIT_CODES: 0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [cmd, ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd ? io.stdout : io.stderr).write(HELP);
    return cmd ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  const get = commands.get(cmd);
  if (!get) {
    const guess = didYouMean(cmd, [...commands.keys()]);
    io.stderr.write(`interpret-fr-eval: unknown command "${cmd}"${guess ? `; did you mean ${guess}?` : ''} (see interpret-fr-eval --help)\n`);
    return EXIT_CODES.usage;
  }
  const c = await get();
  return runCli(c.cli, rest, io, c.run);
}
