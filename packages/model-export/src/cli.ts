/**
 * `interpret-fr-export <run-dir|checkpoint-dir> -o model.onnx [--maps] [--logits] [--opset N]
 * [--no-fold-bn] [--l2]`: exports a training run's latest checkpoint to ONNX. CLI entry file
 * (console output and exit codes live here only; conventions from the core CLI kit).
 *
 * @module
 */
import { resolve } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';
import { defineCli, intOption, locateRun, processIo, readCheckpointDir, readJsonFile, requireOption, runCli, writeFileAtomic } from '@interpret-fr/core/node';
import type { CliIo } from '@interpret-fr/core/node';
import { checkOnnx } from './check.ts';
import { exportOnnx } from './export.ts';
import type { ExportOutput } from './export.ts';

/** The command line: options and help. */
export const CLI = defineCli({
  name: 'interpret-fr-export',
  summary: 'export the latest checkpoint of a training run (or a checkpoint folder) to ONNX',
  usage: '<run-dir|checkpoint-dir> -o <model.onnx> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', arg: 'FILE', description: 'where to write the model (required)' },
    maps: { type: 'boolean', description: 'also output "maps" [N,C,H,W] (the top-k-masked response maps)' },
    logits: { type: 'boolean', description: 'also output "logits" [N,classes]' },
    opset: { type: 'string', arg: 'N', description: 'ONNX opset, 13..21 (default 17)' },
    'no-fold-bn': { type: 'boolean', description: 'keep BatchNormalization nodes instead of folding them into the convs' },
    l2: { type: 'boolean', description: 'L2-normalise the embedding in the graph' },
  },
  epilog: 'Input "image" [N,3,S,S] float32 NCHW (x/127.5-1, RGB); output "embedding" [N,D].',
});

/** Runs the CLI; returns the exit code (core's EXIT_CODES: 0 ok, 1 failure, 2 usage). */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCli(CLI, argv, io, ({ values, positionals }) => {
    const input = positionals[0]!;
    const output = requireOption(values.output, 'output');
    const opset = intOption(values.opset, 'opset', 17, { min: 13, max: 21 });
    const outputs: ExportOutput[] = ['embedding'];
    if (values.maps) outputs.push('maps');
    if (values.logits) outputs.push('logits');
    const loc = locateRun(input);
    // readCheckpointDir checks the manifest, the byte length and the SHA-256 of the architecture + weights.
    const ck = readCheckpointDir(loc.checkpointDir, { onWarning: (m) => io.stderr.write(`interpret-fr-export: warning: ${m}\n`) });
    const sha256 = ck.integrity!.sha256;
    const trainingConfig = loc.configPath ? readJsonFile(loc.configPath) : undefined;
    const bytes = exportOnnx(ck.spec, ck.tensors, {
      opset,
      outputs,
      foldBatchNorm: !values['no-fold-bn'],
      l2normalize: values.l2 === true,
      trainingConfig,
      checkpointSha256: sha256,
    });
    const check = checkOnnx(bytes);
    if (!check.ok) throw new InterpretFrError(`exported graph failed the structural check: ${check.problems.join('; ')}`, { code: 'model', file: loc.checkpointDir });
    writeFileAtomic(resolve(output), bytes);
    io.stdout.write(
      `${resolve(output)}: ${ck.spec.name}, ${check.model.graph.nodes.length} nodes, ${(bytes.length / 1e6).toFixed(2)} MB, opset ${opset}, outputs ${outputs.join(', ')}, checkpoint ${loc.checkpointDir} (sha256 ${sha256.slice(0, 12)}…)${loc.configPath ? '' : ', no config.json found'}\n`,
    );
  });
}
