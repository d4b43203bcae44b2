/**
 * `interpret-fr-prepare --images <root|list> --out <dir>`: detect, align and crop every image for
 * training (see `prepare.ts`). CLI entry on core's CLI kit: one-line errors, exit codes 0/1/2/130,
 * progress on stderr (a redrawn line on a TTY, JSON lines otherwise).
 *
 * @module
 */
import { EXIT_CODES } from '@interpret-fr/core';
import { choiceOption, defineCli, intOption, processIo, requireOption, runCli, usageError, type CliIo } from '@interpret-fr/core/node';
import { prepareImages } from './prepare.ts';

/** The command's option table (also its --help). */
export const PREPARE_CLI = defineCli({
  name: 'interpret-fr-prepare',
  summary: 'detect + 68 landmarks + template alignment of every image → aligned PNG crops, list.txt for the trainer, report.json',
  usage: '--images <root|list.txt> --out <dir> [options]',
  options: {
    images: {
      type: 'string',
      arg: 'PATH',
      description: 'a folder of identity folders (<root>/<identity>/<image>, labels by sorted name),\nor a list file of "path[,label]" lines (required)',
    },
    out: { type: 'string', arg: 'DIR', description: 'output folder (required); rerunning with the same arguments resumes' },
    size: { type: 'string', arg: 'N', description: 'crop side (default 110, the training frame)' },
    workers: { type: 'string', arg: 'N', description: 'worker threads, one face-api instance each (default: cores, at most 8; 0 = this thread)' },
    landmarks: { type: 'string', arg: 'NET', description: 'full | tiny landmark net (default full)' },
    'input-size': { type: 'string', arg: 'N', description: 'detector input side, a multiple of 32 (default 160)' },
    'min-score': { type: 'string', arg: 'X', description: 'detector score threshold in (0, 1) (default 0.5)' },
    'max-side': { type: 'string', arg: 'N', description: 'shrink larger images to this side before detection (default 2048)' },
    'no-fallback': { type: 'boolean', description: 'fail images without a detected face instead of using the centred-box fallback' },
  },
  epilog: `Writes <out>/crops/<identity>/<name>.png, <out>/list.txt ("crops/….png,label,x1,y1,…,x68,y68", landmarks in the
crop frame: the trainer's list format), <out>/identities.txt and <out>/report.json (images, aligned, fallback, failed,
pending, each failure's reason, each fallback, the chosen face when there were several).`,
});

/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage error, 130 interrupted). */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCli(PREPARE_CLI, argv, io, async ({ values: v }, ctx) => {
    const images = requireOption(v.images, 'images');
    const out = requireOption(v.out, 'out');
    const minScore = v['min-score'] === undefined ? undefined : Number(v['min-score']);
    if (minScore !== undefined && !(minScore > 0 && minScore < 1)) throw usageError(`expected a number in (0, 1), got ${JSON.stringify(v['min-score'])}`, '--min-score');
    const progress = ctx.progress();
    const report = await prepareImages(
      {
        images,
        out,
        size: intOption(v.size, 'size', 110, { min: 16, max: 1024 }),
        workers: v.workers === undefined ? undefined : intOption(v.workers, 'workers', 0, { min: 0, max: 64 }),
        landmarks: choiceOption(v.landmarks, 'landmarks', ['full', 'tiny'], 'full'),
        inputSize: intOption(v['input-size'], 'input-size', 160, { min: 64, max: 1024 }),
        minScore,
        maxSide: intOption(v['max-side'], 'max-side', 2048, { min: 64, max: 16384 }),
        fallback: v['no-fallback'] !== true,
      },
      {
        signal: io.signal,
        onEvent: (e) => {
          if (e.type === 'start') progress.note(e, `prepare: ${e.total} images, ${e.resumed} already done, ${e.workers} workers`);
          else if (e.type === 'progress') progress.update(e, `prepare: ${e.done}/${e.total} images, ${e.imagesPerSecond.toFixed(1)} images/s`, { final: e.done === e.total });
        },
      },
    );
    const r = report;
    io.stdout.write(
      `${JSON.stringify({ images: r.images, aligned: r.aligned, fallback: r.fallback, failed: r.failed, pending: r.pending, imagesPerSecond: Number(r.imagesPerSecond.toFixed(2)) })}\n`,
    );
    if (r.pending > 0) {
      io.stderr.write(`interpret-fr-prepare: stopped with ${r.pending} images left; rerun the same command to resume\n`);
      return EXIT_CODES.interrupted;
    }
    return EXIT_CODES.ok;
  });
}
