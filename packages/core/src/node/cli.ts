/**
 * The CLI kit shared by every `interpret-fr-*` command:
 *
 * - {@link parseCli}: `node:util` `parseArgs` over a typed option table; an unknown option is a usage
 *   error with "did you mean --xyz?" ({@link didYouMean}); `--help` and `--debug` are always there.
 * - {@link helpText}: the `--help` text, generated from the same table.
 * - {@link runCli}: runs a command body and maps what it throws to one line on stderr and an exit
 *   code ({@link EXIT_CODES}: 0 ok, 1 failure, 2 usage, 130 interrupted). An
 *   {@link InterpretFrError} prints `interpret-fr-<cmd>: <message>`; anything else is a bug and prints
 *   a short line asking for a rerun with `--debug`, which prints stack traces.
 * - {@link parseScriptArgs}: {@link parseCli} for scripts (benchmarks): prints `--help` or a usage
 *   error and exits.
 * - {@link createProgressReporter}: progress on stderr, a redrawn line on a TTY and JSON lines
 *   otherwise.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { EXIT_CODES, InterpretFrError, exitCodeFor, oneLine } from '../errors.ts';

/** A writable text stream (process.stdout/stderr or a test capture). */
export interface CliStream {
  write(s: string): unknown;
  /** True on a terminal: progress is a redrawn line instead of JSON lines. */
  isTTY?: boolean;
  /** Terminal width: the progress line is cut to it. */
  columns?: number;
}

/** Where a command writes; injectable for tests. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Aborts long work (the bin maps SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

/** The process's streams. */
export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, ...(signal ? { signal } : {}) };
}

/** One row of the option table. */
export interface CliOption {
  type: 'string' | 'boolean';
  /** One-letter alias (`o` for `-o`). */
  short?: string;
  /** Repeatable: the value is an array. */
  multiple?: boolean;
  /** The value's placeholder in `--help` (`N`, `FILE`); strings only, default `VALUE`. */
  arg?: string;
  /** Help text; `\n` starts an indented continuation line. */
  description: string;
}

/** The option table: long name (without `--`) → option. */
export type CliOptions = Record<string, CliOption>;

/** A command: its name, one-line summary, synopsis, options and positional arguments. */
export interface CliSpec<O extends CliOptions = CliOptions> {
  /** The command as typed: `interpret-fr-export`, `interpret-fr-eval ijba`. */
  name: string;
  /** One line: what it does. */
  summary: string;
  /** Synopsis after the name; default `[options]`. */
  usage?: string;
  options: O;
  /** Positional arguments allowed (default none). */
  positionals?: { min?: number; max?: number };
  /** Text after the option list (outputs, examples). */
  epilog?: string;
}

type OptionValue<T extends CliOption> = T['type'] extends 'boolean' ? (T['multiple'] extends true ? boolean[] : boolean) : T['multiple'] extends true ? string[] : string;

/** Parsed option values: absent options are `undefined`. */
export type CliValues<O extends CliOptions> = { [K in keyof O]?: OptionValue<O[K]> } & { help?: boolean; debug?: boolean };

/** What {@link parseCli} returns. */
export interface ParsedCli<O extends CliOptions> {
  values: CliValues<O>;
  positionals: string[];
}

const BUILTIN: CliOptions = {
  debug: { type: 'boolean', description: 'print stack traces of errors' },
  help: { type: 'boolean', short: 'h', description: 'this text' },
};

/** Identity helper that keeps the option table's literal types (so values are typed without `as const`). */
export function defineCli<const O extends CliOptions>(spec: CliSpec<O>): CliSpec<O> {
  return spec;
}

/** Edit distance: insertions, deletions, substitutions and swaps of two adjacent letters (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const w = b.length + 1;
  const d = new Uint32Array((a.length + 1) * w);
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * w] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j - 1]! + cost, d[(i - 1) * w + j]! + 1, d[i * w + j - 1]! + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * w + j - 2]! + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.length * w + b.length]!;
}

/**
 * The candidate closest to `word` when it is close enough (distance ≤ max(1, ⌊len/3⌋), or a prefix of
 * a single candidate), else `undefined`.
 *
 * @example didYouMean('ouptut', ['output', 'opset']) // 'output'
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3))) return best;
  const prefixed = word.length >= 2 ? candidates.filter((c) => c.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** A usage error (exit code 2): bad flags or arguments. */
export function usageError(detail: string, field?: string): InterpretFrError {
  return new InterpretFrError(detail, { code: 'usage', ...(field !== undefined ? { field } : {}) });
}

function allOptions(spec: CliSpec): CliOptions {
  return { ...spec.options, ...BUILTIN };
}

/**
 * Parses `argv` against the option table. Throws an {@link InterpretFrError} with code `usage` for an
 * unknown option (with a suggestion), a missing or extra value, or a wrong number of positionals.
 * A leading `--` (as `pnpm run x -- …` passes it) is dropped.
 */
export function parseCli<const O extends CliOptions>(spec: CliSpec<O>, argv: readonly string[]): ParsedCli<O> {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const opts = allOptions(spec);
  const parseOptions = Object.fromEntries(
    Object.entries(opts).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const { tokens } = parseArgs({ args, options: parseOptions, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name in opts) continue;
    const names = Object.keys(opts);
    const guess = t.rawName.startsWith('--') ? didYouMean(t.name, names) : undefined;
    throw usageError(`unknown option ${t.rawName}${guess !== undefined ? `; did you mean --${guess}?` : ''}`);
  }
  const max = spec.positionals?.max ?? 0;
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseOptions, strict: true, allowPositionals: max > 0 });
  } catch (e) {
    const m = /^[^\n.]*/.exec((e as Error).message)![0];
    throw usageError(m.charAt(0).toLowerCase() + m.slice(1));
  }
  const values = parsed.values as CliValues<O>;
  if (!values.help) {
    const n = parsed.positionals.length;
    const min = spec.positionals?.min ?? 0;
    if (n > max) throw usageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
    if (n < min) throw usageError(`expected ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'}, got ${n}`);
  }
  return { values, positionals: parsed.positionals };
}

/** The `--help` text: name and summary, usage line, aligned option table, epilog. */
export function helpText(spec: CliSpec): string {
  const rows = Object.entries(allOptions(spec)).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  const lines = rows.map(([flag, d]) => `  ${flag.padEnd(w)}${d.split('\n').join(`\n  ${' '.repeat(w)}`)}`);
  const epilog = spec.epilog ? `\n${spec.epilog.replace(/\n+$/, '')}\n` : '';
  return `${spec.name}: ${spec.summary}\n\nUsage: ${spec.name} ${spec.usage ?? '[options]'}\n\nOptions:\n${lines.join('\n')}\n${epilog}`;
}

/** Parses an integer option value; `undefined` gives `def`. Throws a usage error naming the flag. */
export function intOption(value: string | undefined, flag: string, def: number, range: { min?: number; max?: number } = {}): number {
  if (value === undefined) return def;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  const { min = -Infinity, max = Infinity } = range;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const what = Number.isFinite(min) && Number.isFinite(max) ? `an integer in ${min}..${max}` : Number.isFinite(min) ? `an integer ≥ ${min}` : 'an integer';
    throw InterpretFrError.expected(what, value, { code: 'usage', field: `--${flag}` });
  }
  return n;
}

/** Checks that an option value is one of `choices`; `undefined` gives `def`. */
export function choiceOption<const C extends string>(value: string | undefined, flag: string, choices: readonly C[], def: C): C {
  if (value === undefined) return def;
  if (!(choices as readonly string[]).includes(value)) {
    const guess = didYouMean(value, choices);
    throw InterpretFrError.expected(`one of ${choices.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`, value, { code: 'usage', field: `--${flag}` });
  }
  return value as C;
}

/** A required string option: throws a usage error when it is absent or empty. */
export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usageError(`--${flag} is required`);
  return value;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function stackWithCauses(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    parts.push(c instanceof Error ? (c.stack ?? `${c.name}: ${c.message}`) : String(c));
    if (!(c instanceof Error)) break;
  }
  return parts.join('\ncaused by: ');
}

/**
 * Writes what `e` means to `stderr` and returns the exit code: an {@link InterpretFrError} or a
 * file-system error is one line `name: message`; anything else is a short line and a hint to rerun
 * with `--debug`; with `debug` the stack traces (and causes) are printed.
 */
export function reportError(name: string, e: unknown, stderr: CliStream, debug = false): number {
  const code = exitCodeFor(e);
  if (debug) stderr.write(`${name}: ${stackWithCauses(e)}\n`);
  else if (e instanceof InterpretFrError) {
    stderr.write(`${name}: ${oneLine(e.message)}${e.code === 'usage' ? ` (see ${name} --help)` : ''}\n`);
  } else if (isSystemError(e)) stderr.write(`${name}: ${oneLine(e.message)}\n`);
  else {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    stderr.write(`${name}: unexpected error: ${oneLine(msg).slice(0, 300)}\n  (this is a bug; rerun with --debug for the stack trace)\n`);
  }
  return code;
}

/** What {@link runCli} hands to a command body. */
export interface CliContext {
  io: CliIo;
  /** The command's progress reporter on stderr (created on first use; `json` forces JSON lines). */
  progress(options?: { json?: boolean }): ProgressReporter;
}

/**
 * Parses `argv` and runs `body`; prints `--help`, usage errors and failures; returns the exit code
 * (the body's number, else 0). Never calls `process.exit`.
 *
 * @example
 * const SPEC = { name: 'interpret-fr-x', summary: 'does x', options: { out: { type: 'string', arg: 'DIR', description: 'where' } } } as const;
 * process.exitCode = await runCli(SPEC, process.argv.slice(2), processIo(), async ({ values }) => { … });
 */
export async function runCli<const O extends CliOptions>(
  spec: CliSpec<O>,
  argv: readonly string[],
  io: CliIo,
  // biome-ignore lint/suspicious/noConfusingVoidType: a body may return nothing (exit code 0)
  body: (args: ParsedCli<O>, ctx: CliContext) => number | void | Promise<number | void>,
): Promise<number> {
  const debug = argv.includes('--debug');
  let reporter: ProgressReporter | undefined;
  const ctx: CliContext = {
    io,
    progress: (o = {}) => (reporter ??= createProgressReporter(io.stderr, o)),
  };
  try {
    const parsed = parseCli(spec, argv);
    if (parsed.values.help) {
      io.stdout.write(helpText(spec));
      return EXIT_CODES.ok;
    }
    const code = await body(parsed, ctx);
    reporter?.end();
    return code ?? EXIT_CODES.ok;
  } catch (e) {
    reporter?.end();
    return reportError(spec.name, e, io.stderr, debug);
  }
}

/**
 * {@link parseCli} for scripts with top-level code (benchmarks, tools): `--help` prints
 * {@link helpText} and exits 0; a usage error prints one line, as {@link runCli} does, and exits 2.
 * Commands use {@link runCli}, which never exits; `exit` is injectable for tests.
 *
 * @example
 * const { values } = parseScriptArgs(defineCli({ name: 'bench-x', summary: 'times x', options: { reps: { type: 'string', arg: 'N', description: 'repetitions (2)' } } }));
 * const reps = intOption(values.reps, 'reps', 2, { min: 1 }); // a bad value throws a usage error naming --reps
 */
export function parseScriptArgs<const O extends CliOptions>(
  spec: CliSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo(),
  exit: (code: number) => never = process.exit,
): ParsedCli<O> {
  let parsed: ParsedCli<O>;
  try {
    parsed = parseCli(spec, argv);
  } catch (e) {
    return exit(reportError(spec.name, e, io.stderr, argv.includes('--debug')));
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(spec));
    return exit(EXIT_CODES.ok);
  }
  return parsed;
}

/** Progress on a stream: a redrawn line on a TTY, JSON lines otherwise. */
export interface ProgressReporter {
  /** True when writing JSON lines. */
  readonly json: boolean;
  /**
   * A state update: on a TTY redraws the line with `text` (at most every `intervalMs`, always when
   * `final`, which also ends the line); otherwise writes `event` as one JSON line.
   */
  update(event: object, text: string, options?: { final?: boolean }): void;
  /** A message that stays: on a TTY ends the progress line and prints `text` (nothing when null); otherwise `event` as a JSON line. */
  note(event: object, text: string | null): void;
  /** Ends an open progress line (TTY). */
  end(): void;
}

/**
 * A {@link ProgressReporter} on `stream` (usually stderr). `json` defaults to `!stream.isTTY`.
 *
 * @example
 * const p = createProgressReporter(process.stderr);
 * p.update({ type: 'progress', done, total }, `extract ${done}/${total}`, { final: done === total });
 */
export function createProgressReporter(stream: CliStream, options: { json?: boolean; intervalMs?: number; now?: () => number } = {}): ProgressReporter {
  const json = options.json ?? stream.isTTY !== true;
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let open = false;
  let last = -Infinity;
  const fit = (s: string): string => {
    const one = s.replace(/\n/g, ' ');
    const cols = stream.columns;
    return cols !== undefined && cols > 1 && one.length >= cols ? `${one.slice(0, cols - 2)}…` : one;
  };
  const end = (): void => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    json,
    update(event, text, o = {}) {
      if (json) {
        stream.write(`${JSON.stringify(event)}\n`);
        return;
      }
      const t = now();
      if (!o.final && t - last < interval) return;
      last = t;
      stream.write(`\r${fit(text)}\x1b[K`);
      open = true;
      if (o.final) end();
    },
    note(event, text) {
      if (json) stream.write(`${JSON.stringify(event)}\n`);
      else if (text !== null) {
        end();
        stream.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    end,
  };
}
