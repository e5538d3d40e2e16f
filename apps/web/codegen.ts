import type { CodegenConfig } from '@graphql-codegen/cli';

// The schema is emitted by the server from code and committed; the web app's types follow it.
const config: CodegenConfig = {
  schema: '../server/schema.graphql',
  // Tests build their own documents so test-only operations never ship in the bundle.
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*', '!src/**/*.test.{ts,tsx}'],
  generates: {
    'src/gql/': {
      preset: 'client',
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
