/**
 * The source view: the whole picked image with the crop box on top. Drag inside the box to move it, drag
 * a corner handle to resize; with the canvas focused, arrow keys move (Shift: 10 px) and +/− resize.
 *
 * @module
 */
import { clampCrop, fitView, hitCrop, moveCrop, resizeCropAroundCentre, resizeCropFromCorner, sourceToView, viewToSource } from '../logic/crop.ts';
import type { Corner, CropBox, ViewTransform } from '../logic/crop.ts';
import { prepareCanvas } from './canvas.ts';

/** Current image of the editor. */
export interface CropImage {
  bitmap: ImageBitmap;
  width: number;
  height: number;
}

/** Crop box editor over a canvas. */
export class CropEditor {
  private image: CropImage | null = null;
  private box: CropBox = { x: 0, y: 0, size: 1 };
  private drag: { mode: Corner | 'inside'; startX: number; startY: number; startBox: CropBox } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (box: CropBox, final: boolean) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.pointerUp(e));
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /** Shows an image with a box. */
  set(image: CropImage | null, box: CropBox): void {
    this.image = image;
    this.box = box;
    this.draw();
  }

  private view(): ViewTransform | null {
    if (!this.image) return null;
    const r = this.canvas.getBoundingClientRect();
    return fitView(this.image.width, this.image.height, r.width || this.canvas.width, r.height || this.canvas.height);
  }

  private toSource(e: PointerEvent): [number, number] | null {
    const v = this.view();
    if (!v) return null;
    const r = this.canvas.getBoundingClientRect();
    return viewToSource(v, e.clientX - r.left, e.clientY - r.top);
  }

  private pointerDown(e: PointerEvent): void {
    const p = this.toSource(e);
    const v = this.view();
    if (!p || !v) return;
    const hit = hitCrop(this.box, p[0], p[1], 12 / v.scale);
    if (!hit) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { mode: hit, startX: p[0], startY: p[1], startBox: this.box };
  }

  private pointerMove(e: PointerEvent): void {
    const p = this.toSource(e);
    if (!p || !this.image) return;
    if (!this.drag) {
      const v = this.view()!;
      const hit = hitCrop(this.box, p[0], p[1], 12 / v.scale);
      this.canvas.style.cursor = hit === 'inside' ? 'move' : hit === 'nw' || hit === 'se' ? 'nwse-resize' : hit ? 'nesw-resize' : 'default';
      return;
    }
    const { width: w, height: h } = this.image;
    const d = this.drag;
    this.box = d.mode === 'inside' ? moveCrop(d.startBox, p[0] - d.startX, p[1] - d.startY, w, h) : resizeCropFromCorner(d.startBox, d.mode, p[0], p[1], w, h);
    this.draw();
    this.onChange(this.box, false);
  }

  private pointerUp(e: PointerEvent): void {
    if (!this.drag) return;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.onChange(this.box, true);
  }

  private key(e: KeyboardEvent): void {
    if (!this.image) return;
    const { width: w, height: h } = this.image;
    const step = e.shiftKey ? 10 : 1;
    let next: CropBox | null = null;
    if (e.key === 'ArrowLeft') next = moveCrop(this.box, -step, 0, w, h);
    else if (e.key === 'ArrowRight') next = moveCrop(this.box, step, 0, w, h);
    else if (e.key === 'ArrowUp') next = moveCrop(this.box, 0, -step, w, h);
    else if (e.key === 'ArrowDown') next = moveCrop(this.box, 0, step, w, h);
    else if (e.key === '+' || e.key === '=') next = resizeCropAroundCentre(this.box, this.box.size + 2 * step, w, h);
    else if (e.key === '-' || e.key === '_') next = resizeCropAroundCentre(this.box, this.box.size - 2 * step, w, h);
    if (!next) return;
    e.preventDefault();
    this.box = next;
    this.draw();
    this.onChange(this.box, true);
  }

  /** Redraws the image, the dimmed outside and the box with its handles. */
  draw(): void {
    const c = this.canvas;
    const { ctx, dpr } = prepareCanvas(c);
    const v = this.view();
    if (!v || !this.image) return;
    ctx.scale(dpr, dpr);
    const box = clampCrop(this.box, this.image.width, this.image.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.image.bitmap, v.offsetX, v.offsetY, this.image.width * v.scale, this.image.height * v.scale);
    const [x0, y0] = sourceToView(v, box.x, box.y);
    const s = box.size * v.scale;
    ctx.fillStyle = 'rgba(0,0,0,0.5)';
    ctx.beginPath();
    ctx.rect(v.offsetX, v.offsetY, this.image.width * v.scale, this.image.height * v.scale);
    ctx.rect(x0 + s, y0, -s, s); // counter-clockwise hole
    ctx.fill('evenodd');
    ctx.strokeStyle = '#ffd400';
    ctx.lineWidth = 2;
    ctx.strokeRect(x0, y0, s, s);
    ctx.fillStyle = '#ffd400';
    for (const [hx, hy] of [
      [x0, y0],
      [x0 + s, y0],
      [x0, y0 + s],
      [x0 + s, y0 + s],
    ] as const)
      ctx.fillRect(hx - 5, hy - 5, 10, 10);
  }
}
