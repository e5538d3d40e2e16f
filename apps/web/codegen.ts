import type { CodegenConfig } from '@graphql-codegen/cli';

// The schema is emitted by the server from code and committed; the web app's types follow it.
const config: CodegenConfig = {
  schema: '../server/schema.graphql',
  // Tests build their own documents so test-only operations never ship in the bundle.
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*', '!src/**/*.test.{ts,tsx}'],
  generates: {
    'src/gql/': {
      preset: 'client',
      // Fragments here share field lists between queries and subscriptions that write to the same
      // cache entries; masking would only add unwrapping calls.
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
