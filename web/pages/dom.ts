// Small DOM builders for the dashboards: text goes in through textContent only (never HTML).

type Child = Node | string;

/** `<tag class=…>` with `children` (strings become text nodes) and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** Fills `#hostId` with KPI tiles: a big value over its label. */
export function kpis(hostId: string, cells: readonly (readonly [string, string])[]): void {
  const host = document.getElementById(hostId) as HTMLElement;
  host.replaceChildren(...cells.map(([label, value]) => el('div', { class: 'kpi' }, el('b', {}, value), el('span', {}, label))));
}

/** Fills `#hostId` with a table: a header row, then one row per entry (a ready `<td>` is used as is, anything else is wrapped in one). */
export function table(hostId: string, head: readonly string[], rows: readonly (readonly Child[])[]): void {
  const host = document.getElementById(hostId) as HTMLElement;
  const tr = (cells: readonly Child[], cell: 'th' | 'td') => el('tr', {}, ...cells.map((c) => (c instanceof HTMLTableCellElement ? c : el(cell, {}, c))));
  host.replaceChildren(el('table', {}, el('thead', {}, tr(head, 'th')), el('tbody', {}, ...rows.map((r) => tr(r, 'td')))));
}

/** A shortened id or hash (0x1234…abcd) with the full value as its tooltip. */
export function shortId(id: string): HTMLElement {
  return el('span', { title: id, class: 'hex' }, id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
}
