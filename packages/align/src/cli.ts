/**
 * `interpret-fr-prepare --images <root|list> --out <dir>`: detect, align and crop every image for
 * training (see `prepare.ts`). CLI entry file: console output and exit codes live here only.
 * Progress: a rewritten stderr line on a TTY, JSON lines on stderr otherwise.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { prepareImages, type PrepareEvent } from './prepare.ts';
import { PrepareInputError } from './prepare-list.ts';

export const USAGE = `Usage: interpret-fr-prepare --images <root|list.txt> --out <dir> [options]

Detects the face in every image (face-api TinyFaceDetector + 68 landmarks, weights from the
installed @vladmandic/face-api package), aligns it onto the 68-point template and writes
  <out>/crops/<identity>/<name>.png   aligned crops (size×size, template frame)
  <out>/list.txt                      path,label,136 landmark numbers (crop frame): the trainer's list format
  <out>/identities.txt                identity name of label 0, 1, …
  <out>/report.json                   images/aligned/fallback/failed, reasons, chosen faces
Rerunning with the same arguments resumes (finished images are not redone).

Input: a folder of identity folders (<root>/<identity>/<image>, labels by sorted folder name), or a
list file of "path[,label]" lines (paths relative to it; no label: the parent folder is the identity).

Options:
  --images <path>      root folder or list file (required)
  --out <dir>          output folder (required)
  --size <n>           crop side (default 110, the training frame)
  --workers <n>        worker threads (default: cores, at most 8; 0 = this thread)
  --landmarks <net>    full | tiny (default full)
  --input-size <n>     detector input side, multiple of 32 (default 160)
  --min-score <x>      detector score threshold (default 0.5)
  --max-side <n>       shrink larger images to this side before detection (default 2048)
  --no-fallback        fail images without a detected face instead of using the centred box
  -h, --help           this text
`;

/** Output streams (injectable for tests). */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty: boolean;
}

const defaultIo = (): CliIo => ({ out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), isTty: Boolean(process.stderr.isTTY) });

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new PrepareInputError(`${flag} ${JSON.stringify(v)}: expected a number`);
  return n;
}

/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: CliIo = defaultIo(), signal?: AbortSignal): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        images: { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string' },
        workers: { type: 'string' },
        landmarks: { type: 'string' },
        'input-size': { type: 'string' },
        'min-score': { type: 'string' },
        'max-side': { type: 'string' },
        'no-fallback': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`interpret-fr-prepare: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!values.images || !values.out) {
    io.err(`interpret-fr-prepare: --images and --out are required\n\n${USAGE}`);
    return 2;
  }
  if (values.landmarks !== undefined && values.landmarks !== 'full' && values.landmarks !== 'tiny') {
    io.err(`interpret-fr-prepare: --landmarks ${values.landmarks}, expected full or tiny\n`);
    return 2;
  }
  const render = (e: PrepareEvent): void => {
    if (e.type === 'image') return;
    if (!io.isTty) {
      io.err(
        `${JSON.stringify(e.type === 'done' ? { type: 'done', images: e.report.images, aligned: e.report.aligned, fallback: e.report.fallback, failed: e.report.failed, pending: e.report.pending } : e)}\n`,
      );
      return;
    }
    if (e.type === 'start') io.err(`prepare: ${e.total} images, ${e.resumed} already done, ${e.workers} workers\n`);
    else if (e.type === 'progress') io.err(`\r${e.done}/${e.total} images, ${e.imagesPerSecond.toFixed(1)} images/s   `);
    else
      io.err(
        `\ndone: ${e.report.aligned} aligned, ${e.report.fallback} fallback, ${e.report.failed} failed${e.report.pending ? `, ${e.report.pending} pending (rerun to resume)` : ''}\n`,
      );
  };
  try {
    const workers = num(values.workers, '--workers');
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) throw new PrepareInputError(`--workers ${workers}: expected an integer in [0, 64]`);
    const report = await prepareImages(
      {
        images: values.images,
        out: values.out,
        size: num(values.size, '--size'),
        workers,
        landmarks: values.landmarks as 'full' | 'tiny' | undefined,
        inputSize: num(values['input-size'], '--input-size'),
        minScore: num(values['min-score'], '--min-score'),
        maxSide: num(values['max-side'], '--max-side'),
        fallback: !values['no-fallback'],
      } as Parameters<typeof prepareImages>[0],
      { onEvent: render, signal },
    );
    io.out(
      `${JSON.stringify({ images: report.images, aligned: report.aligned, fallback: report.fallback, failed: report.failed, pending: report.pending, imagesPerSecond: Number(report.imagesPerSecond.toFixed(2)) })}\n`,
    );
    return report.pending > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof PrepareInputError) {
      io.err(`interpret-fr-prepare: ${e.message}\n`);
      return 2;
    }
    io.err(`interpret-fr-prepare: ${(e as Error).message}\n`);
    return 1;
  }
}
