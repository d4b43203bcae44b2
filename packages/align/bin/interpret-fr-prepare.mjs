#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (the packages ship TypeScript sources, no build step).
// Ctrl-C / SIGTERM stop dispatching; finished images stay recorded and a rerun resumes.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const { processIo } = await import('@interpret-fr/core/node');
const ac = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => ac.abort());
process.exitCode = await main(process.argv.slice(2), processIo(ac.signal));
process.exit();
