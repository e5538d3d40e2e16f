import { defineConfig } from 'vitest/config';

// One run over every package; each project keeps its own config (environment, setup).
export default defineConfig({
  test: {
    projects: ['libs/*', 'apps/server', 'apps/web'],
  },
});
