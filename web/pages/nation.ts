// Nation dashboard (auditors and admins): impact over time, by zone, and Heart by fund bucket,
// from GET /api/government/nation-dashboard.
import { drawChart, heart, PALETTE } from './charts.ts';
import { kpis } from './dom.ts';
import { apiGet, showLoadError } from './session.ts';

interface Aggregate { entries: number; heart: string; impactCredits: string }
interface NationDashboard {
  players: number; actions: number; approvedActions: number; totals: Aggregate;
  funds: { local: string; national: string; global: string };
  byZone: (Aggregate & { zoneId: string; name: string; countryCode: string })[];
  byMonth: (Aggregate & { month: string })[];
}

const status = document.getElementById('status') as HTMLElement;

function render(d: NationDashboard): void {
  kpis('kpis', [
    ['players', d.players.toLocaleString()], ['actions', d.actions.toLocaleString()], ['approved', d.approvedActions.toLocaleString()],
    ['ledger entries', d.totals.entries.toLocaleString()], ['impact credits', Number(d.totals.impactCredits).toLocaleString()], ['Heart earned', heart(d.totals.heart).toLocaleString()],
  ]);
  drawChart('impactByMonth', {
    type: 'line',
    data: {
      labels: d.byMonth.map((m) => m.month),
      datasets: [
        { label: 'impact credits', data: d.byMonth.map((m) => Number(m.impactCredits)), borderColor: PALETTE[0], yAxisID: 'y' },
        { label: 'verified actions', data: d.byMonth.map((m) => m.entries), borderColor: PALETTE[1], yAxisID: 'y1' },
      ],
    },
    options: { scales: { y: { position: 'left' }, y1: { position: 'right', grid: { drawOnChartArea: false } } } },
  });
  const zones = d.byZone.slice(0, 15);
  drawChart('byZone', {
    type: 'bar',
    data: { labels: zones.map((z) => `${z.name} (${z.countryCode})`), datasets: [{ label: 'impact credits', data: zones.map((z) => Number(z.impactCredits)), backgroundColor: PALETTE[2] }] },
    options: { indexAxis: 'y' },
  });
  drawChart('funds', {
    type: 'doughnut',
    data: { labels: ['Local', 'National', 'Global'], datasets: [{ data: [heart(d.funds.local), heart(d.funds.national), heart(d.funds.global)], backgroundColor: PALETTE.slice(3, 6) }] },
  });
  status.textContent = `Updated ${new Date().toLocaleString()}`;
}

apiGet<NationDashboard>('/api/government/nation-dashboard').then(render, (err: unknown) => showLoadError(status, err, 'an auditor or admin'));
