/**
 * `interpret-fr-eval <command> …`: the evaluation CLI. `main(argv, io)` returns the exit code and
 * never calls `process.exit`; `bin/interpret-fr-eval.mjs` is the only entry that does.
 *
 * @module
 */
import { defaultIo, UsageError, type CliIo } from './common.ts';
import { IJBA_HELP, IJBC_HELP, PAIRS_HELP, ijbaCommand, ijbcCommand, pairsCommand } from './protocol-commands.ts';

type Command = { help: string; run: (argv: string[], io: CliIo) => Promise<number> };

const commands = new Map<string, () => Promise<Command>>([
  ['ijba', async () => ({ help: IJBA_HELP, run: ijbaCommand })],
  ['pairs', async () => ({ help: PAIRS_HELP, run: pairsCommand })],
  ['ijbc', async () => ({ help: IJBC_HELP, run: ijbcCommand })],
  [
    'occlusion',
    async () => {
      const m = await import('./model-commands.ts');
      return { help: m.OCCLUSION_HELP, run: m.occlusionCommand };
    },
  ],
  [
    'peaks',
    async () => {
      const m = await import('./model-commands.ts');
      return { help: m.PEAKS_HELP, run: m.peaksCommand };
    },
  ],
  [
    'synthetic',
    async () => {
      const m = await import('./model-commands.ts');
      return { help: m.SYNTHETIC_HELP, run: m.syntheticCommand };
    },
  ],
]);

export const HELP = `interpret-fr-eval <command> [options]   (each command has --help)

  ijba        IJB-A 1:1 + 1:N over 10 splits (precomputed .npy features or a model + images)
  pairs       LFW View 1/2 pairs.txt or a generic pair list: 10-fold accuracy, AUC, EER, TAR@FAR
  ijbc        IJB-B/C 1:1 from insightface meta files: TAR@FAR 1e-6 … 1e-1
  occlusion   verification with black windows at face regions + per-filter |Δf| table and heat map
  peaks       per-filter average peak locations, spreads and d from response maps (+ figure)
  synthetic   the main job's evaluation on the built-in synthetic set (pairs, occlusion, peaks)

  --debug     print stack traces for every error (default: expected errors are one line)
`;

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [cmd, ...rest] = argv.filter((a) => a !== '--debug');
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP);
    return cmd ? 0 : 2;
  }
  const get = commands.get(cmd);
  if (!get) {
    io.err(`unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  const c = await get();
  try {
    return await c.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${cmd}: ${e.message}\n\n${c.help}`);
      return 2;
    }
    // Expected errors (bad input files, I/O) are one line naming the file; only bugs get a stack.
    io.err(`${cmd}: ${isExpectedError(e) && !debug ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
    return 1;
  }
}

/** Error classes that describe bad input (they name the file and line themselves), not a bug. */
const EXPECTED = new Set([
  'NpyError',
  'MatFormatError',
  'IjbaFormatError',
  'IjbcFormatError',
  'PairsFormatError',
  'FeatureValueError',
  'ScoreValueError',
  'PathOutsideRootError',
  'ModelError',
  'OnnxParseError',
  'OnnxMetadataError',
  'ImageDecodeError',
  'JsonFileError',
  'CheckpointError',
  'InputError',
  'PreprocessError',
  'InterpretFrError',
]);

/** True for an error a user can fix from its message: one of {@link EXPECTED} or a file-system error with a path. */
export function isExpectedError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (EXPECTED.has(e.name)) return true;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (e as NodeJS.ErrnoException).path === 'string';
}
