/**
 * Entry: starts the app and loads the model named by `?model=` (same origin only) or the bundled
 * `models/default.onnx`.
 *
 * @module
 */
import './styles.css';
import { DemoApp } from './app.ts';
import { startupModelUrl } from './logic/model-url.ts';

async function start(): Promise<void> {
  const app = new DemoApp();
  const pick = startupModelUrl(location.search, document.baseURI);
  if ('error' in pick) {
    app.showError(new Error(pick.error));
    document.getElementById('model-status')!.textContent = 'No model loaded: choose an Interpret-FR .onnx file.';
    return;
  }
  const name = decodeURIComponent(pick.url.split('/').pop() ?? 'model.onnx');
  let res: Response;
  try {
    res = await fetch(pick.url);
  } catch (e) {
    app.showError(e, `could not fetch ${pick.url}`);
    return;
  }
  if (!res.ok) {
    document.getElementById('model-status')!.textContent = 'No model bundled with this build: choose an Interpret-FR .onnx file (exported with interpret-fr-export --maps).';
    if (new URLSearchParams(location.search).has('model')) app.showError(new Error(`${pick.url}: HTTP ${res.status}`));
    return;
  }
  await app.loadModel(await res.arrayBuffer(), name);
}

void start();
