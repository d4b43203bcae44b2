/**
 * The ranked filter list: an ARIA listbox (one tab stop; ↑/↓/Home/End/PageUp/PageDown move the
 * selection, which follows focus) whose rows show each filter's peak on faces A and B, how different the
 * two faces' maps are, and how much the occluder changed it.
 *
 * @module
 */

/** Values shown for one filter (null = not available yet). */
export interface FilterRow {
  filter: number;
  a: number | null;
  b: number | null;
  diff: number | null;
  occlusion: number | null;
}

const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));

/** Listbox over a `<ul>`. */
export class FilterList {
  private order: number[] = [];
  private selected = -1;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly onSelect: (filter: number) => void,
  ) {
    list.setAttribute('role', 'listbox');
    list.tabIndex = 0;
    list.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest<HTMLLIElement>('li[data-filter]');
      if (li) this.choose(Number(li.dataset.filter));
    });
    list.addEventListener('keydown', (e) => this.key(e));
  }

  /** Rebuilds the rows in rank order (`rows` already sorted). */
  setRows(rows: FilterRow[], selected: number): void {
    this.order = rows.map((r) => r.filter);
    const maxPeak = Math.max(1e-12, ...rows.map((r) => Math.max(r.a ?? 0, r.b ?? 0)));
    const html = rows.map((r, i) => {
      const wa = ((r.a ?? 0) / maxPeak) * 100,
        wb = ((r.b ?? 0) / maxPeak) * 100;
      return (
        `<li role="option" id="filter-row-${r.filter}" data-filter="${r.filter}" aria-selected="false">` +
        `<span class="rank">${i + 1}</span><span class="fname">Filter ${r.filter}</span>` +
        `<span class="bars" aria-hidden="true"><span class="bar a" style="width:${wa.toFixed(1)}%"></span><span class="bar b" style="width:${wb.toFixed(1)}%"></span></span>` +
        `<span class="nums"><span class="num" title="peak on face A">A ${fmt(r.a)}</span><span class="num" title="peak on face B">B ${fmt(r.b)}</span>` +
        `<span class="num" title="relative difference of the two faces' maps (0 = same, 1 = disjoint)">Δ ${fmt(r.diff)}</span>` +
        (r.occlusion !== null ? `<span class="num occ" title="change caused by the occluder (0 = none, 1 = all)">occ ${fmt(r.occlusion)}</span>` : '') +
        `</span></li>`
      );
    });
    this.list.innerHTML = html.join('');
    this.selected = -1;
    this.select(selected, false);
  }

  /** Marks `filter` selected (and scrolls it into view). */
  select(filter: number, scroll = true): void {
    if (this.selected >= 0) this.list.querySelector(`#filter-row-${this.selected}`)?.setAttribute('aria-selected', 'false');
    this.selected = filter;
    const li = this.list.querySelector<HTMLLIElement>(`#filter-row-${filter}`);
    if (!li) {
      this.list.removeAttribute('aria-activedescendant');
      return;
    }
    li.setAttribute('aria-selected', 'true');
    this.list.setAttribute('aria-activedescendant', li.id);
    if (scroll) li.scrollIntoView({ block: 'nearest' });
  }

  private choose(filter: number): void {
    this.select(filter);
    this.onSelect(filter);
  }

  private key(e: KeyboardEvent): void {
    if (this.order.length === 0) return;
    const pos = Math.max(0, this.order.indexOf(this.selected));
    const last = this.order.length - 1;
    const to: Record<string, number> = { ArrowDown: pos + 1, ArrowUp: pos - 1, Home: 0, End: last, PageDown: pos + 10, PageUp: pos - 10 };
    const next = to[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.choose(this.order[Math.min(last, Math.max(0, next))]!);
  }
}
