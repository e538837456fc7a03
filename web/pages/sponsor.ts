// Sponsor panel (the sponsor's own session; admins and auditors add ?sponsor=0x… to the page URL):
// deposits, their Local/National/Global split and disbursements from the chain mirror
// (GET /api/sponsor/panel), and impact per stablecoin unit per campaign and month (GET /api/sponsor/roi).
import { drawChart, PALETTE } from './charts.ts';
import { kpis, shortId, table } from './dom.ts';
import { apiGet, showLoadError } from './session.ts';

type Amounts = { local: string; national: string; global: string };
interface Panel {
  sponsor: string; indexedBlock: string | null;
  totals: { funded: string; deposits: number; split: Amounts };
  campaigns: (Amounts & { campaignId: string; name: string | null; funded: string; deposits: number; disbursed: string })[];
  deposits: (Amounts & { txHash: string; blockNumber: string; campaignId: string; amount: string })[];
  disbursements: { txHash: string; blockNumber: string; campaignId: string; bucket: string; to: string; amount: string; paymentReference: string }[];
}
interface Impact { impactCredits: string; verifiedActions: number; playersReached: number }
type PerUnit = { impactCredits: number; verifiedActions: number; playersReached: number } | null;
interface Roi {
  decimals: number;
  campaigns: { campaignId: string; name: string; funded: string; fundedUnits: number; total: Impact & { perUnit: PerUnit }; months: (Impact & { month: string; perUnit: PerUnit })[] }[];
}

const status = document.getElementById('status') as HTMLElement;

/** Stablecoin base units (a decimal string) in whole units. */
const units = (base: string, decimals: number): number => Number(BigInt(base)) / 10 ** decimals;
const fmt = (n: number) => n.toLocaleString(undefined, { maximumFractionDigits: 4 });

function render(panel: Panel, roi: Roi): void {
  const u = (base: string) => fmt(units(base, roi.decimals));
  const disbursed = panel.campaigns.reduce((s, c) => s + BigInt(c.disbursed), 0n).toString();
  const credits = roi.campaigns.reduce((s, c) => s + Number(c.total.impactCredits), 0);
  kpis('kpis', [
    ['funded (stablecoin)', u(panel.totals.funded)], ['deposits', panel.totals.deposits.toLocaleString()],
    ['disbursed (stablecoin)', u(disbursed)], ['campaigns', roi.campaigns.length.toLocaleString()], ['impact credits', fmt(credits)],
  ]);
  const split = panel.totals.split;
  drawChart('split', {
    type: 'doughnut',
    data: { labels: ['Local', 'National', 'Global'], datasets: [{ data: [split.local, split.national, split.global].map((a) => units(a, roi.decimals)), backgroundColor: PALETTE.slice(3, 6) }] },
  });
  const per = (k: keyof NonNullable<PerUnit>) => roi.campaigns.map((c) => c.total.perUnit?.[k] ?? 0);
  drawChart('roi', {
    type: 'bar',
    data: {
      labels: roi.campaigns.map((c) => c.name),
      datasets: [
        { label: 'impact credits / unit', data: per('impactCredits'), backgroundColor: PALETTE[0] },
        { label: 'verified actions / unit', data: per('verifiedActions'), backgroundColor: PALETTE[1] },
        { label: 'players reached / unit', data: per('playersReached'), backgroundColor: PALETTE[2] },
      ],
    },
  });
  const months = [...new Set(roi.campaigns.flatMap((c) => c.months.map((m) => m.month)))].sort();
  drawChart('roiByMonth', {
    type: 'line',
    data: {
      labels: months,
      datasets: roi.campaigns.map((c, i) => ({
        label: c.name, borderColor: PALETTE[i % PALETTE.length],
        data: months.map((month) => c.months.find((m) => m.month === month)?.perUnit?.impactCredits ?? 0),
      })),
    },
  });
  table('campaigns', ['campaign', 'funded', 'local', 'national', 'global', 'disbursed', 'impact credits', 'actions', 'players'], roi.campaigns.map((c) => {
    const p = panel.campaigns.find((x) => x.campaignId === c.campaignId);
    return [c.name, u(c.funded), u(p?.local ?? '0'), u(p?.national ?? '0'), u(p?.global ?? '0'), u(p?.disbursed ?? '0'),
      fmt(Number(c.total.impactCredits)), c.total.verifiedActions.toLocaleString(), c.total.playersReached.toLocaleString()];
  }));
  const name = (campaignId: string) => roi.campaigns.find((c) => c.campaignId === campaignId)?.name ?? shortId(campaignId);
  table('deposits', ['block', 'tx', 'campaign', 'amount', 'local', 'national', 'global'],
    panel.deposits.map((d) => [d.blockNumber, shortId(d.txHash), name(d.campaignId), u(d.amount), u(d.local), u(d.national), u(d.global)]));
  table('disbursements', ['block', 'tx', 'campaign', 'bucket', 'to', 'amount', 'payment reference'],
    panel.disbursements.map((d) => [d.blockNumber, shortId(d.txHash), name(d.campaignId), d.bucket, shortId(d.to), u(d.amount), shortId(d.paymentReference)]));
  (document.getElementById('block') as HTMLElement).textContent = panel.indexedBlock ?? '—';
  status.textContent = `Sponsor ${panel.sponsor} · updated ${new Date().toLocaleString()}`;
}

const asked = new URLSearchParams(location.search).get('sponsor');
const query = asked ? `?sponsor=${encodeURIComponent(asked)}` : '';
Promise.all([apiGet<Panel>(`/api/sponsor/panel${query}`), apiGet<Roi>(`/api/sponsor/roi${query}`)])
  .then(([panel, roi]) => render(panel, roi), (err: unknown) => showLoadError(status, err, 'a sponsor (admins and auditors: add ?sponsor=0x…)'));
