/**
 * The interpretability panel: ranking, the selected filter, the overlay mode, and drawing both model
 * views. Selecting a filter only redraws (no inference), so it is fast.
 *
 * @module
 */
import { sharedScale } from './logic/colormap.ts';
import type { OverlayStyle } from './logic/colormap.ts';
import { filterMap, meanScores, peakStrength, rankByScore, relativeDifference, subtractMaps } from './logic/ranking.ts';
import type { Analysis, FaceSlot } from './face-slot.ts';
import type { ModelSummary } from './protocol.ts';
import type { FilterList, FilterRow } from './ui/filter-list.ts';
import type { ModelView, ModelViewContent } from './ui/model-view.ts';

/** A face as the panel sees it. */
export interface PanelFace {
  slot: FaceSlot;
  view: ModelView;
  affected: HTMLElement;
}

type RankBy = 'strength' | 'difference' | 'match' | 'occlusion' | 'index';
type OverlayMode = 'response' | 'difference' | 'none';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Per-filter numbers of the current analyses. */
interface Stats {
  strength: (Float32Array | null)[];
  diff: Float32Array | null;
  occ: (Float32Array | null)[];
}

/** Ranking, selection and drawing. */
export class FilterPanel {
  private model: ModelSummary | null = null;
  private selected = 0;
  private userChose = false;
  private rankBy: RankBy = 'strength';
  private overlay: OverlayMode = 'response';
  private showPeaks = true;
  private stats: Stats = { strength: [null, null], diff: null, occ: [null, null] };

  constructor(
    private readonly faces: PanelFace[],
    private readonly list: FilterList,
  ) {
    $<HTMLSelectElement>('rank-by').addEventListener('change', (e) => {
      this.rankBy = (e.target as HTMLSelectElement).value as RankBy;
      this.refresh();
    });
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name="overlay"]')) {
      r.addEventListener('change', () => {
        if (r.checked) this.overlay = r.value as OverlayMode;
        this.renderViews();
      });
    }
    $<HTMLInputElement>('show-peaks').addEventListener('change', (e) => {
      this.showPeaks = (e.target as HTMLInputElement).checked;
      this.renderViews();
    });
    $<HTMLInputElement>('filter-number').addEventListener('change', (e) => {
      const v = Math.round(Number((e.target as HTMLInputElement).value));
      const C = this.model?.mapDims?.[0] ?? 0;
      if (Number.isFinite(v) && v >= 0 && v < C) this.select(v);
    });
  }

  setModel(model: ModelSummary): void {
    this.model = model;
    this.userChose = false;
    this.selected = 0;
    const C = model.mapDims?.[0] ?? 0;
    const num = $<HTMLInputElement>('filter-number');
    num.max = String(Math.max(0, C - 1));
    num.disabled = C === 0;
  }

  /** Selects filter `c` and redraws (the timed "overlay switch"). */
  select(c: number): void {
    const t0 = performance.now();
    this.selected = c;
    this.userChose = true;
    this.list.select(c);
    $<HTMLInputElement>('filter-number').value = String(c);
    this.renderViews();
    this.renderDetail();
    document.body.dataset.overlayMs = (performance.now() - t0).toFixed(2);
  }

  private computeStats(): number {
    const C = this.model?.mapDims?.[0] ?? 0;
    const cells = (this.model?.mapDims?.[1] ?? 0) * (this.model?.mapDims?.[2] ?? 0);
    const cur = this.faces.map((f) => f.slot.current);
    const ok = (a: Analysis | null): a is Analysis & { maps: Float32Array } => !!a?.maps && a.maps.length === C * cells;
    this.stats.strength = cur.map((a) => (ok(a) ? peakStrength(a.maps, C, cells) : null));
    this.stats.diff = ok(cur[0]!) && ok(cur[1]!) ? relativeDifference(cur[0]!.maps, cur[1]!.maps, C, cells) : null;
    this.stats.occ = this.faces.map((f) =>
      f.slot.occlusion && ok(f.slot.current) && ok(f.slot.base) ? relativeDifference(f.slot.current.maps, f.slot.base.maps, C, cells) : null,
    );
    return C;
  }

  /** After new analyses: statistics, ranking, list, views. */
  refresh(): void {
    const C = this.computeStats();
    const { strength, diff, occ } = this.stats;
    if (C === 0 || strength.every((s) => !s)) {
      this.list.setRows([], -1);
      this.renderViews();
      this.renderDetail();
      return;
    }
    const avail = strength.filter((s): s is Float32Array => !!s);
    const strong = meanScores(avail);
    const occAny = occ[0] || occ[1] ? Float32Array.from({ length: C }, (_, c) => Math.max(occ[0]?.[c] ?? 0, occ[1]?.[c] ?? 0)) : null;
    let score: ArrayLike<number>;
    if (this.rankBy === 'difference' && diff) score = diff;
    else if (this.rankBy === 'match' && diff) score = Float32Array.from(diff, (d, c) => ((strength[0]?.[c] ?? 0) > 0 || (strength[1]?.[c] ?? 0) > 0 ? 1 - d : NaN));
    else if (this.rankBy === 'occlusion' && occAny) score = occAny;
    else if (this.rankBy === 'index') score = Float32Array.from({ length: C }, (_, c) => -c);
    else score = strong;
    const order = rankByScore(score);
    if (!this.userChose) this.selected = order[0]!;
    const rows: FilterRow[] = Array.from(order, (c) => ({
      filter: c,
      a: strength[0]?.[c] ?? null,
      b: strength[1]?.[c] ?? null,
      diff: diff?.[c] ?? null,
      occlusion: occAny?.[c] ?? null,
    }));
    this.list.setRows(rows, this.selected);
    $<HTMLInputElement>('filter-number').value = String(this.selected);
    this.renderViews();
    this.renderDetail();
    this.renderAffected(occ);
  }

  private renderAffected(occ: (Float32Array | null)[]): void {
    this.faces.forEach((f, i) => {
      const o = occ[i];
      if (!o) {
        f.affected.textContent = f.slot.occlusion ? 'Occluder set; waiting for the model…' : '';
        return;
      }
      const top = Array.from(rankByScore(o).subarray(0, 5)).map((c) => `${c} (${o[c]!.toFixed(2)})`);
      f.affected.textContent = `Most affected filters: ${top.join(', ')}`;
    });
  }

  private renderDetail(): void {
    const el = $('filter-detail');
    const C = this.model?.mapDims?.[0] ?? 0;
    if (C === 0) {
      el.textContent = this.model ? 'This model has no response-map output; only the similarity is available.' : '';
      return;
    }
    const c = this.selected;
    const parts = this.faces.map((f, i) => {
      const a = f.slot.current;
      const s = this.stats.strength[i]?.[c];
      if (!a || s === undefined) return `${f.slot.label}: –`;
      const r = a.peakRow?.[c],
        col = a.peakCol?.[c];
      return s > 0 && r !== undefined && col !== undefined ? `${f.slot.label}: peak ${s.toFixed(3)} at x ${col.toFixed(1)}, y ${r.toFixed(1)}` : `${f.slot.label}: silent`;
    });
    const d = this.stats.diff?.[c];
    el.textContent = `Filter ${c}. ${parts.join('; ')}${d !== undefined ? `; maps differ by ${d.toFixed(2)} (0 = same, 1 = disjoint)` : ''}.`;
  }

  /** Draws both model views for the selected filter and overlay mode. */
  renderViews(): void {
    const S = this.model?.size ?? 1;
    const dims = this.model?.mapDims ?? null;
    const c = this.selected;
    const maps = this.faces.map((f) => (dims && f.slot.current?.maps ? filterMap(f.slot.current.maps, c, dims[1] * dims[2]) : null));
    const respScale = sharedScale(
      maps.filter((m): m is Float32Array => !!m),
      true,
    );
    this.faces.forEach((f, i) => {
      const cur = f.slot.current;
      let overlay: ModelViewContent['overlay'] = null;
      const own = maps[i],
        other = maps[1 - i];
      if (dims && own && this.overlay !== 'none') {
        if (this.overlay === 'response')
          overlay = { map: own, height: dims[1], width: dims[2], style: { kind: 'response', scale: respScale, maxAlpha: 0.8 } satisfies OverlayStyle };
        else if (other) {
          const diff = subtractMaps(own, other);
          overlay = { map: diff, height: dims[1], width: dims[2], style: { kind: 'signed', scale: sharedScale([diff], false), maxAlpha: 0.85 } };
        }
      }
      f.view.update({
        input: f.slot.shown,
        size: S,
        occlusion: f.slot.occlusion,
        overlay,
        peaks: cur?.peakRow && cur.peakCol && dims ? { row: cur.peakRow, col: cur.peakCol, selected: c, showAll: this.showPeaks } : null,
      });
    });
  }
}
