// Worker of the prepare pool (src/prepare.ts): registers the TypeScript loader (the package ships
// sources), then runs prepare-worker-main.ts, which owns one face-api wasm instance.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker-main.ts');
