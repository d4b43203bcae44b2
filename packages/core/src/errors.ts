/**
 * The one error class for expected failures (bad input, bad files, bad flags): {@link InterpretFrError}.
 * Its message is one line that names the place first, `path/to/file:12: expected …, got …`, so a CLI
 * can print it as is; `code` says what kind of failure it is and fixes the exit code
 * ({@link exitCodeFor}). Anything that is not an `InterpretFrError` is a bug (a CLI prints a short line
 * and asks for a rerun with `--debug`). Isomorphic: no Node imports.
 *
 * @module
 */

/**
 * What kind of expected failure: `usage` (a command-line flag or argument), `config` (a configuration
 * key or value), `input` (an argument of a library call: pixels, shapes, options), `data` (a data
 * file: list, protocol, image), `format` (a file that cannot be parsed), `model` (an ONNX model or a
 * spec that cannot be used), `checkpoint` (a checkpoint that cannot be read or written), `integrity`
 * (a hash or size mismatch), `io` (the file system), `interrupted` (stopped by a signal).
 */
export type InterpretFrErrorCode = 'usage' | 'config' | 'input' | 'data' | 'format' | 'model' | 'checkpoint' | 'integrity' | 'io' | 'interrupted';

/** Where the error is: any of these that are known, all optional. */
export interface ErrorPlace {
  /** The file at fault (as the user named it). */
  file?: string;
  /** 1-based line of `file`. */
  line?: number;
  /** 1-based row of a table that is not line-based (a CSV record, a tensor row, an image index). */
  row?: number;
  /** The field, key, flag or column at fault (`data.cropSize`, `--opset`, `bbox`). */
  field?: string;
}

/** Options of {@link InterpretFrError}. */
export interface InterpretFrErrorOptions extends ErrorPlace {
  /** What kind of failure; default `input`. */
  code?: InterpretFrErrorCode;
  /** The underlying error, if any (shown with `--debug`). */
  cause?: unknown;
}

/** Exit codes shared by every `interpret-fr-*` command. */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** The command ran and failed (bad data, bad model, a bug). */
  failure: 1,
  /** Bad flags, arguments or configuration: nothing was done. */
  usage: 2,
  /** Stopped by SIGINT/SIGTERM (after saving what could be saved): 128 + SIGINT. */
  interrupted: 130,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** `file:line`, `file, row 3`, `field "x"`… joined; empty when nothing is known. */
export function formatPlace(p: ErrorPlace): string {
  const parts: string[] = [];
  if (p.file !== undefined) parts.push(p.line !== undefined ? `${p.file}:${p.line}` : p.file);
  else if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.row !== undefined) parts.push(`row ${p.row}`);
  if (p.field !== undefined) parts.push(p.field);
  return parts.join(', ');
}

/** A short, one-line rendering of a received value for "got …" (strings quoted, long values cut). */
export function describeValue(v: unknown, max = 60): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) s = String(v);
  else if (ArrayBuffer.isView(v)) s = `${v.constructor.name}(${(v as unknown as { length?: number }).length ?? v.byteLength})`;
  else if (Array.isArray(v)) s = `array(${v.length})`;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  s = s.replace(/\s*\n\s*/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Escapes line breaks and other control characters so that a message stays on one line. */
export function oneLine(s: string): string {
  // Line breaks become '; ' (as the CLI kit prints them); other control characters are escaped.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return s.replace(/\s*[\r\n]+\s*/g, '; ').replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/**
 * An expected failure, reported in one line that names the place: `file:line: detail`.
 *
 * @example
 * throw new InterpretFrError('label "x" is not an integer', { code: 'data', file: 'list.txt', line: 2 });
 * // message: 'list.txt:2: label "x" is not an integer'
 * throw InterpretFrError.expected('an integer in 13..21', '9', { code: 'usage', field: '--opset' });
 * // message: '--opset: expected an integer in 13..21, got "9"'
 */
export class InterpretFrError extends Error {
  override name = 'InterpretFrError';
  readonly code: InterpretFrErrorCode;
  /** The file at fault, or null when unknown. */
  readonly file: string | null;
  /** 1-based line of `file`, or null. */
  readonly line: number | null;
  /** 1-based row, or null. */
  readonly row: number | null;
  /** The field, key or flag at fault, or null. */
  readonly field: string | null;
  /** The message without the place prefix. */
  readonly detail: string;

  constructor(rawDetail: string, options: InterpretFrErrorOptions = {}) {
    // One line whatever the detail quotes (a corrupt header, a JSON snippet): control characters escaped.
    const detail = oneLine(rawDetail);
    const place = formatPlace(options);
    super(oneLine(place ? `${place}: ${detail}` : detail), options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code ?? 'input';
    this.file = options.file ?? null;
    this.line = options.line ?? null;
    this.row = options.row ?? null;
    this.field = options.field ?? null;
    this.detail = detail;
  }

  /** `place: expected <what>, got <value>`. */
  static expected(what: string, got: unknown, options: InterpretFrErrorOptions = {}): InterpretFrError {
    return new InterpretFrError(`expected ${what}, got ${describeValue(got)}`, options);
  }
}

/** Whether `e` is an expected failure (an {@link InterpretFrError} or a subclass). */
export function isInterpretFrError(e: unknown): e is InterpretFrError {
  return e instanceof InterpretFrError;
}

/** The exit code for an error: `usage`/`config` → 2, `interrupted` → 130, anything else → 1. */
export function exitCodeFor(e: unknown): ExitCode {
  if (!(e instanceof InterpretFrError)) return EXIT_CODES.failure;
  if (e.code === 'usage' || e.code === 'config') return EXIT_CODES.usage;
  if (e.code === 'interrupted') return EXIT_CODES.interrupted;
  return EXIT_CODES.failure;
}
