import { defineConfig } from 'vitest/config';
// Sets NODE_OPTIONS=--conditions=@interpret-fr/source for the processes and workers tests start.
import './vitest.shared.ts';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
