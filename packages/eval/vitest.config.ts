import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'eval', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
});
