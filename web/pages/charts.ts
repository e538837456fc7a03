// Chart.js for the dashboards: one place registers what the pages use and records, on each canvas,
// how many data points it drew (`data-points`), which the browser tests read.
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { ChartConfiguration } from 'chart.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export const PALETTE = ['#c0392b', '#2471a3', '#229954', '#d68910', '#7d3c98', '#17a589', '#a04000', '#566573'];

export function drawChart(canvasId: string, config: ChartConfiguration): Chart {
  const canvas = document.getElementById(canvasId);
  if (!(canvas instanceof HTMLCanvasElement)) throw new Error(`no canvas #${canvasId}`);
  Chart.getChart(canvas)?.destroy();
  const chart = new Chart(canvas, { ...config, options: { animation: false, responsive: true, ...config.options } });
  const points = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
  canvas.dataset.points = String(points);
  return chart;
}

/** Heart (base units of 18 decimals, as a decimal string; any fraction is dropped) in whole Heart, for charts. */
export const heart = (wei: string): number => Number(BigInt(wei.split('.')[0] as string) / 10n ** 15n) / 1000;
