/**
 * The model view: the S × S input exactly as the model receives it (pixelated), the selected filter's
 * map as a colour overlay (smoothly upsampled; map cell centres sit at (r + ½)·S/H), every filter's peak
 * as a dot (the selected one ringed), and the occluder. Drag on it to draw an occluder.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import { overlayRgba } from '../logic/colormap.ts';
import type { OverlayStyle } from '../logic/colormap.ts';
import { viewRectToModelRect } from '../logic/occlusion.ts';
import type { Rect } from '../logic/occlusion.ts';
import { prepareCanvas } from './canvas.ts';

/** What to draw. */
export interface ModelViewContent {
  input: Pixels | null;
  size: number;
  occlusion: Rect | null;
  overlay: { map: Float32Array; height: number; width: number; style: OverlayStyle } | null;
  /** Peak positions in model pixels (continuous, 0..S), NaN = none; `selected` is ringed. */
  peaks: { row: Float32Array; col: Float32Array; selected: number; showAll: boolean } | null;
}

function toCanvas(data: Uint8ClampedArray, width: number, height: number): OffscreenCanvas {
  const c = new OffscreenCanvas(width, height);
  c.getContext('2d')!.putImageData(new ImageData(data as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return c;
}

function rgbaOf(p: Pixels): Uint8ClampedArray {
  if (p.channels === 4) return new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.length);
  const out = new Uint8ClampedArray(p.width * p.height * 4);
  for (let i = 0, j = 0; i < p.width * p.height; i++, j += p.channels) {
    out[4 * i] = p.data[j]!;
    out[4 * i + 1] = p.data[p.channels === 1 ? j : j + 1]!;
    out[4 * i + 2] = p.data[p.channels === 1 ? j : j + 2]!;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Canvas with drawing and occluder input. */
export class ModelView {
  private content: ModelViewContent = { input: null, size: 1, occlusion: null, overlay: null, peaks: null };
  private inputCanvas: OffscreenCanvas | null = null;
  private inputKey: Pixels | null = null;
  private drag: { x0: number; y0: number; x1: number; y1: number } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onOcclude: (rect: Rect | null, final: boolean) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.content.input) return;
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      const [x, y] = this.local(e);
      this.drag = { x0: x, y0: y, x1: x, y1: y };
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      [this.drag.x1, this.drag.y1] = this.local(e);
      this.emit(false);
    });
    const end = (e: PointerEvent) => {
      if (!this.drag) return;
      [this.drag.x1, this.drag.y1] = this.local(e);
      if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
      this.emit(true);
      this.drag = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private local(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private emit(final: boolean): void {
    const d = this.drag!;
    const r = this.canvas.getBoundingClientRect();
    const rect = viewRectToModelRect(d.x0, d.y0, d.x1, d.y1, r.width, this.content.size);
    // A click without a drag is ignored rather than clearing the occluder.
    if (rect || final) this.onOcclude(rect, final);
  }

  /** Replaces the content and redraws. */
  update(content: ModelViewContent): void {
    this.content = content;
    if (content.input !== this.inputKey) {
      this.inputKey = content.input;
      this.inputCanvas = content.input ? toCanvas(rgbaOf(content.input), content.input.width, content.input.height) : null;
    }
    this.draw();
  }

  /** Redraws with the current content. */
  draw(): void {
    const c = this.canvas;
    const { ctx, w: side, dpr } = prepareCanvas(c, true);
    const { input, size, overlay, peaks, occlusion } = this.content;
    if (!input || !this.inputCanvas) return;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.inputCanvas, 0, 0, side, side);
    const k = side / size;
    if (overlay) {
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(toCanvas(overlayRgba(overlay.map, overlay.height, overlay.width, overlay.style), overlay.width, overlay.height), 0, 0, side, side);
    }
    if (occlusion) {
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.strokeStyle = '#ffd400';
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(occlusion.x * k, occlusion.y * k, occlusion.width * k, occlusion.height * k);
      ctx.setLineDash([]);
    }
    if (peaks) {
      const n = peaks.row.length;
      if (peaks.showAll) {
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.strokeStyle = 'rgba(0,0,0,0.7)';
        ctx.lineWidth = dpr;
        for (let i = 0; i < n; i++) {
          if (i === peaks.selected || Number.isNaN(peaks.row[i]!)) continue;
          ctx.beginPath();
          ctx.arc(peaks.col[i]! * k, peaks.row[i]! * k, 2.5 * dpr, 0, 2 * Math.PI);
          ctx.fill();
          ctx.stroke();
        }
      }
      const s = peaks.selected;
      if (s >= 0 && s < n && !Number.isNaN(peaks.row[s]!)) {
        const x = peaks.col[s]! * k,
          y = peaks.row[s]! * k;
        ctx.lineWidth = 3 * dpr;
        ctx.strokeStyle = '#000';
        ctx.beginPath();
        ctx.arc(x, y, 7 * dpr, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.lineWidth = 2 * dpr;
        ctx.strokeStyle = '#00e5ff';
        ctx.stroke();
      }
    }
    if (this.drag) {
      ctx.strokeStyle = '#ffd400';
      ctx.lineWidth = 2 * dpr;
      const d = this.drag;
      ctx.strokeRect(Math.min(d.x0, d.x1) * dpr, Math.min(d.y0, d.y1) * dpr, Math.abs(d.x1 - d.x0) * dpr, Math.abs(d.y1 - d.y0) * dpr);
    }
  }
}
