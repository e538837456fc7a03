// Review queue (admins): pending items from GET /api/admin/review — proofs with their flags, rule
// results, scores and evidence, and comments moderation held back with their text, flags and
// sentiment; approve or reject with a reason (POST /api/admin/review/:id). A decided item
// leaves the list; a refused decision shows the API's code and message on the item. `?flag=` and
// `?zoneId=` on the page URL filter the queue like the API's.
import { el, shortId } from './dom.ts';
import { ApiError, apiGet, apiPost, showLoadError } from './session.ts';

interface ProofItem {
  kind: 'proof'; id: string; playerId: string; missionId: string; zoneId: string; submittedAt: string; verifiedAt: string;
  flags: string[];
  rules: { name: string; passed: boolean; severity: string; detail: string }[];
  scores: { authenticity: number; confidence: number; modelScore: number | null; modelVersion: string };
  proof: { latitude: number; longitude: number; accuracyM: number; capturedAt: string };
  evidence: { url: string; mediaType: string; sha256: string; width: number | null; height: number | null }[];
}
interface CommentItem {
  kind: 'comment'; id: string; flags: string[]; body: string; authorId: string; zoneId: string; actionId: string | null;
  sentiment: number; moderationVersion: number; createdAt: string;
}
type ReviewItem = ProofItem | CommentItem;
interface ReviewPage { items: ReviewItem[]; total: number }

const status = document.getElementById('status') as HTMLElement;
const host = document.getElementById('items') as HTMLElement;
let total = 0;

function showTotal(): void {
  const shown = host.querySelectorAll('.item').length;
  status.textContent = shown < total ? `${total} pending (the oldest ${shown} shown; reload for more)` : `${total} pending`;
}

const row = (k: string, ...v: (Node | string)[]) => [el('dt', {}, k), el('dd', {}, ...v)];

function commentDetails(item: CommentItem): HTMLElement {
  return el('dl', {},
    ...row('posted', new Date(item.createdAt).toLocaleString()),
    ...row('author', shortId(item.authorId)),
    ...row(item.actionId ? 'on action' : 'in zone', shortId(item.actionId ?? item.zoneId)),
    ...row('text', el('blockquote', { class: 'comment-body' }, item.body)),
    ...row('moderation', `sentiment ${item.sentiment.toFixed(2)} (rules v${item.moderationVersion})`),
  );
}

function details(item: ReviewItem): HTMLElement {
  if (item.kind === 'comment') return commentDetails(item);
  const s = item.scores;
  return el('dl', {},
    ...row('submitted', new Date(item.submittedAt).toLocaleString()),
    ...row('player', shortId(item.playerId)),
    ...row('mission', shortId(item.missionId)),
    ...row('scores', `authenticity ${s.authenticity} · confidence ${s.confidence} · model ${s.modelScore ?? '—'} (${s.modelVersion})`),
    ...row('location', `${item.proof.latitude.toFixed(5)}, ${item.proof.longitude.toFixed(5)} ±${item.proof.accuracyM} m, captured ${new Date(item.proof.capturedAt).toLocaleString()}`),
    ...row('rules', ...item.rules.map((r) => el('div', { class: r.passed ? 'passed' : 'failed' }, `${r.passed ? '✓' : '✗'} ${r.name} (${r.severity}): ${r.detail}`))),
    ...row('evidence', ...item.evidence.map((e, i) => el('div', {},
      el('a', { href: e.url, target: '_blank', rel: 'noopener noreferrer' }, `${e.mediaType} #${i + 1}`),
      ` ${e.width ?? '?'}×${e.height ?? '?'} sha256 `, shortId(e.sha256)))),
  );
}

function card(item: ReviewItem): HTMLElement {
  const reason = el('textarea', { rows: '2', placeholder: 'reason (required, audited)', 'aria-label': 'reason' });
  const error = el('p', { class: 'error', role: 'alert' });
  const node = el('div', { class: 'item', 'data-id': item.id },
    el('h3', {}, `${item.kind} `, shortId(item.id), ' ', ...item.flags.map((f) => el('span', { class: `flag ${f.split(':')[0] ?? ''}` }, f))),
    details(item), reason);
  const decide = async (decision: 'approve' | 'reject') => {
    error.textContent = '';
    if (!reason.value.trim()) {
      error.textContent = 'Give a reason for the decision.';
      return;
    }
    for (const b of node.querySelectorAll('button')) b.disabled = true;
    try {
      await apiPost(`/api/admin/review/${item.id}`, { kind: item.kind, decision, reason: reason.value.trim() });
      node.remove();
      total -= 1;
      showTotal();
    } catch (err) {
      error.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message;
      for (const b of node.querySelectorAll('button')) b.disabled = false;
    }
  };
  const button = (decision: 'approve' | 'reject') => {
    const b = el('button', { type: 'button', class: decision }, decision === 'approve' ? 'Approve' : 'Reject');
    b.addEventListener('click', () => void decide(decision));
    return b;
  };
  node.append(el('div', {}, button('approve'), ' ', button('reject')), error);
  return node;
}

// The page's own ?flag= (e.g. geofence or hard:geofence) and ?zoneId= narrow the queue.
const query = new URLSearchParams({ limit: '100' });
for (const [k, v] of new URLSearchParams(location.search)) if (k === 'flag' || k === 'zoneId') query.set(k, v);
apiGet<ReviewPage>(`/api/admin/review?${query.toString()}`).then((page) => {
  total = page.total;
  host.replaceChildren(...page.items.map(card));
  showTotal();
}, (err: unknown) => showLoadError(status, err, 'an admin'));
