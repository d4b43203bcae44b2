/**
 * Entry: starts the app and loads the model named by `?model=` (same origin only) or the bundled
 * default listed in `models/manifest.json` (written by vite.config.ts; `{"default": null}` when the
 * build ships no model, so the page never requests a missing file).
 *
 * @module
 */
import './styles.css';
import { DemoApp } from './app.ts';
import { startupModelUrl } from './logic/model-url.ts';
import { modelNotice, type DefaultModelKind } from './logic/model-notice.ts';
import { alignPhoto } from './auto-align.ts';
import { decodeImage } from './ui/image-source.ts';

/** What the page exposes to scripts as `window.interpretFrDemo` (the e2e test and `bench:align-browser` use it). */
export interface DemoScripting {
  app: DemoApp;
  alignPhoto: typeof alignPhoto;
  decodeImage: typeof decodeImage;
}

const NO_MODEL = 'No model bundled with this build: choose an Interpret-FR .onnx file (exported with interpret-fr-export --maps).';

async function start(): Promise<void> {
  const app = new DemoApp();
  (window as unknown as { interpretFrDemo: DemoScripting }).interpretFrDemo = { app, alignPhoto, decodeImage };
  const status = document.getElementById('model-status')!;
  const explicit = new URLSearchParams(location.search).has('model');
  let source: string | null = null;
  try {
    if (!explicit) {
      const manifest = (await (await fetch(new URL('models/manifest.json', document.baseURI))).json()) as {
        default?: string | null;
        source?: string | null;
        kind?: DefaultModelKind | null;
      };
      source = manifest.source ?? null;
      const notice = modelNotice(manifest.kind);
      if (notice) {
        const el = document.createElement('p');
        el.id = 'model-fallback';
        el.setAttribute('role', 'alert');
        el.className = 'model-fallback';
        el.textContent = notice;
        status.insertAdjacentElement('afterend', el);
      }
      if (!manifest.default) {
        status.textContent = NO_MODEL;
        return;
      }
    }
  } catch {
    status.textContent = NO_MODEL;
    return;
  }
  const pick = startupModelUrl(location.search, document.baseURI);
  if ('error' in pick) {
    app.showError(new Error(pick.error));
    status.textContent = 'No model loaded: choose an Interpret-FR .onnx file.';
    return;
  }
  const file = decodeURIComponent(pick.url.split('/').pop() ?? 'model.onnx');
  const name = source ? `${file} (from ${source})` : file;
  try {
    const res = await fetch(pick.url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await app.loadModel(await res.arrayBuffer(), name);
  } catch (e) {
    status.textContent = 'No model loaded: choose an Interpret-FR .onnx file.';
    app.showError(e, `could not fetch ${pick.url}`);
  }
}

void start();
