/**
 * End-of-run files: `summary.json` (final numbers) and `loss.svg` (curves from `events.jsonl`).
 *
 * @module
 */
import { join } from 'node:path';
import type { DatasetInfo } from './data/types.ts';
import type { LossTerms } from './loss-weights.ts';
import type { ChartSeries } from '@interpret-fr/core';
import { lossCurveSvg } from './plot.ts';
import { writeFileAtomic } from '@interpret-fr/core/node';
import { readEvents } from './run-dir.ts';

/** Contents of `summary.json`. */
export interface RunSummary {
  reason: 'completed' | 'aborted';
  step: number;
  totalSteps: number;
  wallSeconds: number;
  evalAccuracy: number | null;
  skippedImages: number;
  final: LossTerms | null;
  data: DatasetInfo;
  preset: string;
  spec: string;
  backend: string;
}

const LOSS_KEYS = ['total', 'ce', 'ceOcc', 'sad', 'sadOcc', 'weightDiversity', 'fad'] as const;
const ACC_KEYS = ['accuracy', 'accuracyOcc'] as const;

/** Builds the plot series from the step events of `events.jsonl` (all segments of a resumed run). */
export async function curveSeries(runDir: string): Promise<{ losses: ChartSeries[]; accuracies: ChartSeries[] }> {
  // A resumed run repeats the steps after its last checkpoint: keep the last record of each step.
  const byStep = new Map<number, LossTerms>();
  for (const e of readEvents(runDir)) if (e.type === 'step' && e.losses) byStep.set(e.step, e.losses);
  const steps = [...byStep].sort((a, b) => a[0] - b[0]).map(([step, l]) => ({ step, l }));
  const series = (keys: readonly (keyof LossTerms)[]): ChartSeries[] =>
    keys
      .map((k) => {
        const at = steps.filter((s) => typeof s.l[k] === 'number');
        return { name: k, x: Float64Array.from(at, (s) => s.step), y: Float64Array.from(at, (s) => s.l[k] as number) };
      })
      .filter((s) => s.x.length > 0);
  return { losses: series(LOSS_KEYS), accuracies: series(ACC_KEYS) };
}

/** Writes `summary.json` and `loss.svg`. */
export async function writeRunReport(runDir: string, summary: RunSummary): Promise<void> {
  writeFileAtomic(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const { losses, accuracies } = await curveSeries(runDir);
  writeFileAtomic(join(runDir, 'loss.svg'), lossCurveSvg(losses, accuracies, `${summary.preset} (${summary.spec})`));
}
