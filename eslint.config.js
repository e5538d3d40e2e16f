// ESLint flat config: typescript-eslint everywhere, React hooks rules on the web app, and the
// import boundaries of docs/architecture.md (apps → libs, storage → domain, never back; web features
// do not import each other; only the server's config module reads process.env).
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const webToServer = {
  group: ['**/apps/server/**', '@stagecoach/server', '@stagecoach/storage'],
  message: 'the web app talks to the server over GraphQL only.',
};

const noAppsFromLibs = {
  group: ['**/apps/**', '@stagecoach/server', '@stagecoach/web'],
  message: 'libs must not depend on apps (dependencies point apps → libs).',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.tools/**',
      '.stagecoach/**',
      'apps/web/src/gql/**',
      'libs/client/src/gql/**',
      'apps/server/src/db/migrations/Migration*.ts',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noAppsFromLibs, { group: ['@stagecoach/storage', '**/libs/storage/**'], message: 'domain is the bottom layer: it imports no other package of ours.' }, { group: ['node:*'], message: 'domain is pure TypeScript shared with the browser: no Node built-ins.' }] }],
    },
  },
  {
    files: ['libs/storage/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noAppsFromLibs] }] },
  },
  {
    // The client is what integrators import: it talks to the server over its public API only.
    files: ['libs/client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noAppsFromLibs, { group: ['@stagecoach/*', '**/libs/**'], message: 'the client depends on no other package of ours.' }] }] },
  },
  {
    files: ['apps/server/src/**/*.ts'],
    ignores: ['apps/server/src/config/env.ts', 'apps/server/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/web/**', '@stagecoach/web'], message: 'the server does not import the web app.' }, { group: ['../../libs/**', '../../../libs/**'], message: 'import libs by package name (@stagecoach/...).' }] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config/env.ts reads process.env; inject the Config.' }],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [webToServer] }],
    },
  },
  // Features do not import each other (Bulletproof React): a relative import that climbs out of
  // the feature folder into a sibling is refused; src/app composes features, src/lib is shared.
  ...[1, 2, 3].map((depth) => ({
    files: [`apps/web/src/features/*/${'*/'.repeat(depth - 1)}*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [webToServer, { regex: `^${'\\.\\./'.repeat(depth)}[^.]`, message: 'features do not import each other; share through src/lib, compose in src/app.' }] },
      ],
    },
  })),
);
