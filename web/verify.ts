// The verify page's script (bundled for browsers by api/routes/web.ts); all checks are in verify-core.ts.
import { createPublicClient, http } from 'viem';
import { browser, type MiniElement } from './mini-dom.ts';
import { fetchBundle, parseBundleText, verifyBundleWeb, type EntryView, type WebVerifyResult } from './verify-core.ts';

const { document, location } = browser();
const $ = (id: string) => document.getElementById(id) as MiniElement;
const rpc = $('rpc'), seqIn = $('seq'), bundleIn = $('bundle'), drop = $('drop'), out = $('result'), go = $('go');
let explorerUrl: string | null = null;

function el(tag: string, text?: string, attrs: Record<string, string> = {}): MiniElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function table(rows: [string, string | MiniElement][]): MiniElement {
  const t = el('table');
  for (const [k, v] of rows) {
    const tr = el('tr');
    tr.append(el('td', k));
    const td = el('td');
    td.append(v);
    tr.append(td);
    t.append(tr);
  }
  return t;
}

const entryRows = (e: EntryView): [string, string][] => [
  ['seq', e.seq], ['player', e.player], ['action', e.actionId], ['mission', e.missionId], ['xp', String(e.xp)],
  ['heart (wei)', e.heart], ['impact credits (×10⁻⁴)', e.impactCredits],
  ['fund split (bps)', `local ${e.fund.localBps} / national ${e.fund.nationalBps} / global ${e.fund.globalBps}`],
  ['time', e.timestamp], ['verifier score', String(e.score)], ['model', e.modelVersion], ['evidence commitment', e.evidenceCommitment],
];

function show(r: WebVerifyResult | { ok: false; field: string; reason: string }): void {
  out.replaceChildren();
  out.className = r.ok ? 'ok' : 'bad';
  if (r.ok) {
    out.append(el('h2', `✔ verified — entry ${r.seq} is in the ledger`));
    const tx: [string, string | MiniElement][] = r.anchorTx
      ? [['anchor tx', r.anchorTxUrl ? el('a', r.anchorTx, { href: r.anchorTxUrl, target: '_blank', rel: 'noopener' }) : r.anchorTx]] : [];
    out.append(table([['epoch', String(r.epoch)], ['tree size', String(r.treeSize)], ['chain', String(r.chainId)], ['LedgerAnchor', r.ledgerAnchor],
      ['log root (from chain)', r.logRoot], ['leaf hash', r.leafHash], ...tx, ...entryRows(r.entry)]));
  } else {
    out.append(el('h2', '✘ not in ledger'), el('p', `${r.field}: ${r.reason}`));
    if ('entry' in r && r.entry) out.append(el('p', 'The bundle claims this entry:'), table(entryRows(r.entry)));
  }
}

async function verify(): Promise<void> {
  go.disabled = true;
  out.className = 'ok';
  out.textContent = 'verifying…';
  try {
    let bundle: unknown;
    if (bundleIn.value.trim()) {
      try {
        bundle = parseBundleText(bundleIn.value);
      } catch {
        return show({ ok: false, field: 'bundle', reason: 'not valid JSON' });
      }
    } else if (seqIn.value.trim()) {
      const got = await fetchBundle(location.origin, Number(seqIn.value.trim()));
      if (!got.ok) return show({ ok: false, field: 'seq', reason: got.reason });
      bundle = got.bundle;
      bundleIn.value = JSON.stringify(bundle, null, 2);
    } else {
      return show({ ok: false, field: 'input', reason: 'enter an entry number or paste a proof bundle' });
    }
    if (!rpc.value.trim()) return show({ ok: false, field: 'rpc', reason: 'enter a chain RPC URL' });
    show(await verifyBundleWeb(bundle, createPublicClient({ transport: http(rpc.value.trim()) }), { explorerUrl }));
  } finally {
    go.disabled = false;
  }
}

go.addEventListener('click', () => void verify());
drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  const file = ev.dataTransfer?.files[0];
  if (file) void file.text().then((t) => { bundleIn.value = t; seqIn.value = ''; return verify(); });
});
const params = new URLSearchParams(location.search);
void fetch('/verify/config.json').then((r) => r.json() as Promise<{ RPC_URL: string; EXPLORER_URL: string | null }>).then((c) => {
  explorerUrl = c.EXPLORER_URL;
  rpc.value ||= params.get('rpc') ?? c.RPC_URL;
  if (params.get('seq')) { seqIn.value = params.get('seq') ?? ''; void verify(); }
}, () => undefined);
