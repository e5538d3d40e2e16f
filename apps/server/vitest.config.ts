import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // type-graphql and Apollo must see the same graphql module instance ("another realm" otherwise).
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    name: 'server',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database tests each clone their own database; files may run in parallel.
    pool: 'forks',
  },
});
