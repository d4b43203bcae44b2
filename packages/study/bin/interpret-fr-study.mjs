#!/usr/bin/env node
// Entry point: registers tsx (TypeScript sources run without a build) and runs the study CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
