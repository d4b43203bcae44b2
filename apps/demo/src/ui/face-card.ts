/**
 * Markup of one face card (A or B) and typed access to its elements.
 *
 * @module
 */
import { OCCLUSION_PRESETS } from '../logic/occlusion.ts';

/** Elements of a face card. */
export interface FaceCardElements {
  root: HTMLElement;
  file: HTMLInputElement;
  camera: HTMLButtonElement;
  name: HTMLElement;
  source: HTMLCanvasElement;
  cropSize: HTMLInputElement;
  cropReset: HTMLButtonElement;
  cropInfo: HTMLElement;
  /** Switches between the detected, aligned face and the manual crop box. */
  alignMode: HTMLButtonElement;
  /** Draw the 68 landmarks on the source view. */
  landmarks: HTMLInputElement;
  /** What the detector found. */
  alignInfo: HTMLElement;
  model: HTMLCanvasElement;
  occPreset: HTMLSelectElement;
  occClear: HTMLButtonElement;
  affected: HTMLElement;
}

/** Builds card `label` ('A' | 'B') inside `parent`. */
export function buildFaceCard(parent: HTMLElement, label: 'A' | 'B'): FaceCardElements {
  const id = label.toLowerCase();
  const root = document.createElement('article');
  root.className = 'face';
  root.id = `face-${id}`;
  root.setAttribute('aria-labelledby', `face-${id}-title`);
  const presets = Object.keys(OCCLUSION_PRESETS)
    .map((k) => `<option value="${k}">${k}</option>`)
    .join('');
  root.innerHTML = `
    <h2 id="face-${id}-title">Face ${label} <span class="file-name" id="name-${id}"></span></h2>
    <div class="drop" id="drop-${id}">
      <label class="button" for="file-${id}">Choose image ${label}</label>
      <input type="file" id="file-${id}" class="visually-hidden" accept="image/*" />
      <button type="button" id="camera-${id}" hidden>Camera</button>
      <span class="hint">or drop an image here</span>
    </div>
    <div class="views">
      <figure>
        <canvas id="source-${id}" class="source-view" tabindex="0" role="img" aria-label="Face ${label} with the crop box; arrow keys move it, plus and minus resize it"></canvas>
        <figcaption>Source: detected faces, and the aligned window or the crop box (drag the box or its corners)</figcaption>
        <div class="row">
          <button type="button" id="align-mode-${id}" disabled>Adjust the crop by hand</button>
          <label class="check"><input type="checkbox" id="landmarks-${id}" /> Show landmarks</label>
        </div>
        <p class="note" id="align-info-${id}" aria-live="polite"></p>
        <div class="row">
          <label for="crop-size-${id}">Crop size</label>
          <input type="range" id="crop-size-${id}" min="8" max="8" value="8" disabled />
          <button type="button" id="crop-reset-${id}" disabled>Centre crop</button>
        </div>
        <p class="note" id="crop-info-${id}"></p>
      </figure>
      <figure>
        <canvas id="model-${id}" class="model-view" role="img" aria-label="Face ${label} as the model sees it, with the selected filter's response; drag to occlude a region"></canvas>
        <figcaption>What the model sees (drag to occlude)</figcaption>
        <div class="row">
          <label for="occ-preset-${id}">Occlude</label>
          <select id="occ-preset-${id}" disabled><option value="">nothing</option>${presets}<option value="custom" hidden>drawn region</option></select>
          <button type="button" id="occ-clear-${id}" disabled>Clear</button>
        </div>
        <p class="note" id="affected-${id}" aria-live="polite"></p>
      </figure>
    </div>`;
  parent.appendChild(root);
  const q = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  return {
    root,
    file: q(`#file-${id}`),
    camera: q(`#camera-${id}`),
    name: q(`#name-${id}`),
    source: q(`#source-${id}`),
    cropSize: q(`#crop-size-${id}`),
    cropReset: q(`#crop-reset-${id}`),
    cropInfo: q(`#crop-info-${id}`),
    alignMode: q(`#align-mode-${id}`),
    landmarks: q(`#landmarks-${id}`),
    alignInfo: q(`#align-info-${id}`),
    model: q(`#model-${id}`),
    occPreset: q(`#occ-preset-${id}`),
    occClear: q(`#occ-clear-${id}`),
    affected: q(`#affected-${id}`),
  };
}
