/**
 * Which model the page loads at start-up.
 *
 * @module
 */

/** The model URL to load at start-up, or an error message for a URL on another origin. */
export function startupModelUrl(search: string, pageUrl: string): { url: string } | { error: string } {
  const param = new URLSearchParams(search).get('model');
  const origin = new URL(pageUrl).origin;
  const url = new URL(param ?? 'models/default.onnx', pageUrl);
  if (url.origin !== origin) return { error: `refusing ?model=${param}: it is on ${url.origin}, not this app's origin ${origin} (the demo never fetches from other sites)` };
  return { url: url.href };
}
