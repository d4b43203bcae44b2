/**
 * The run's `loss.svg`: loss terms on a log-scaled y axis (terms differ by orders of magnitude) above
 * clean/occluded accuracy on a linear one, steps on x; both panels are core's `lineChartSvg`.
 *
 * @module
 */
import { lineChartSvg, stackSvg } from '@interpret-fr/core';
import type { ChartSeries } from '@interpret-fr/core';

/**
 * Renders loss curves (log y) and accuracy curves (linear y, 0..1) to one SVG document.
 *
 * @example writeFileSync('loss.svg', lossCurveSvg([{ name: 'total', x: [10, 20], y: [5.2, 4.1] }], []));
 */
export function lossCurveSvg(losses: readonly ChartSeries[], accuracies: readonly ChartSeries[], title = 'training'): string {
  return stackSvg([
    lineChartSvg(losses, { title: `${title}: losses (log scale) vs step`, xLabel: 'step', yLabel: 'loss', yLog: true, yMin: 'data', yMax: 'data', width: 760, height: 340 }),
    lineChartSvg(accuracies, { title: 'accuracy (training batches) vs step', xLabel: 'step', yLabel: 'accuracy', width: 760, height: 240 }),
  ]);
}
