import type { CodegenConfig } from '@graphql-codegen/cli';

// The same generator and settings as the web app, over the committed schema, so the client's
// operation types follow the server's API and the drift check catches a stale copy.
const config: CodegenConfig = {
  schema: '../../apps/server/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*', '!src/**/*.test.ts'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        // verbatimModuleSyntax (tsconfig.base.json) requires type-only imports in generated code.
        useTypeImports: true,
      },
    },
  },
};

export default config;
