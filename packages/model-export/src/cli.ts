/**
 * `interpret-fr-export <run-dir|checkpoint-dir> -o model.onnx [--maps] [--logits] [--opset N]
 * [--no-fold-bn] [--l2]`: exports a training run's latest checkpoint to ONNX. CLI entry file
 * (console output and exit codes live here only).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCheckpointDir, writeFileAtomic } from '@interpret-fr/core/node';
import { checkOnnx } from './check.ts';
import { exportOnnx } from './export.ts';
import type { ExportOutput } from './export.ts';
import { locateRun } from './run-dir.ts';

export const USAGE = `Usage: interpret-fr-export <run-dir|checkpoint-dir> -o <model.onnx> [options]

Exports the latest checkpoint of a training run (or a checkpoint folder) to ONNX.
Input "image" [N,3,S,S] float32 NCHW (x/127.5-1, RGB); output "embedding" [N,D].

Options:
  -o, --output <file>  where to write the model (required)
  --maps               also output "maps" [N,C,H,W] (the top-k-masked response maps)
  --logits             also output "logits" [N,classes]
  --opset <n>          ONNX opset, 13..21 (default 17)
  --no-fold-bn         keep BatchNormalization nodes instead of folding them into the convs
  --l2                 L2-normalise the embedding in the graph
  -h, --help           this text
`;

/** Output streams (injectable for tests). */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export function main(argv: string[], io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): number {
  let input: string | undefined;
  let output: string | undefined;
  let opset = 17;
  let fold = true;
  let l2 = false;
  const outputs: ExportOutput[] = ['embedding'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    } else if (a === '-o' || a === '--output') output = argv[++i];
    else if (a === '--maps') outputs.push('maps');
    else if (a === '--logits') outputs.push('logits');
    else if (a === '--opset') opset = Number(argv[++i]);
    else if (a === '--no-fold-bn') fold = false;
    else if (a === '--l2') l2 = true;
    else if (a.startsWith('-')) {
      io.err(`interpret-fr-export: unknown option ${a}\n\n${USAGE}`);
      return 2;
    } else if (input === undefined) input = a;
    else {
      io.err(`interpret-fr-export: unexpected argument ${a}\n\n${USAGE}`);
      return 2;
    }
  }
  if (!input || !output) {
    io.err(`interpret-fr-export: ${!input ? 'missing <run-dir>' : 'missing -o <model.onnx>'}\n\n${USAGE}`);
    return 2;
  }
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) {
    io.err(`interpret-fr-export: --opset must be an integer in 13..21, got ${argv[argv.indexOf('--opset') + 1]}\n`);
    return 2;
  }
  try {
    const loc = locateRun(input);
    // readCheckpointDir checks the manifest, the byte length and the SHA-256 of weights.bin.
    const ck = readCheckpointDir(loc.checkpointDir);
    const manifest = JSON.parse(readFileSync(resolve(loc.checkpointDir, 'manifest.json'), 'utf8')) as { sha256: string };
    const trainingConfig = loc.configPath ? (JSON.parse(readFileSync(loc.configPath, 'utf8')) as unknown) : undefined;
    const bytes = exportOnnx(ck.spec, ck.tensors, { opset, outputs, foldBatchNorm: fold, l2normalize: l2, trainingConfig, checkpointSha256: manifest.sha256 });
    const check = checkOnnx(bytes);
    if (!check.ok) throw new Error(`exported graph failed the structural check:\n  ${check.problems.join('\n  ')}`);
    writeFileAtomic(resolve(output), bytes);
    io.out(
      `${resolve(output)}: ${ck.spec.name}, ${check.model.graph.nodes.length} nodes, ${(bytes.length / 1e6).toFixed(2)} MB, opset ${opset}, outputs ${outputs.join(', ')}, checkpoint ${loc.checkpointDir} (sha256 ${manifest.sha256.slice(0, 12)}…)${loc.configPath ? '' : ', no config.json found'}\n`,
    );
    return 0;
  } catch (e) {
    io.err(`interpret-fr-export: refused: ${(e as Error).message}\n`);
    return 1;
  }
}
