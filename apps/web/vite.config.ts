import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

// The API server; in production it serves this app itself, so only dev/preview need the proxy.
const API_TARGET = 'http://127.0.0.1:4000';

// Keep the browser's Host header (no changeOrigin) so the server builds redirect URLs and
// checks WebSocket origins against the address the user actually opened.
const proxy: Record<string, ProxyOptions> = {
  '/graphql': { target: API_TARGET, ws: true },
  '/auth': { target: API_TARGET },
  // The built-in development IdP (OIDC_ISSUER unset) lives on the server's origin too.
  '/dev-idp': { target: API_TARGET },
  '/download': { target: API_TARGET },
  '/healthz': { target: API_TARGET },
};

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      // The API explorer (GraphiQL, served on GET /graphql) is a second page with its own bundle.
      input: { main: 'index.html', graphiql: 'graphiql.html' },
      // GraphiQL's "use no memo" (React Compiler) directives mean nothing to a bundle: no warnings.
      checks: { moduleLevelDirective: false },
      output: {
        // Libraries change less often than our code: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // entriesAware: each page loads only the libraries it uses (the explorer's Monaco is
            // megabytes; Mantine's dependencies are partly shared with it).
            { name: 'mantine', test: /[\\/]node_modules[\\/]@mantine[\\/]/, entriesAware: true },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/, entriesAware: true },
          ],
        },
      },
    },
  },
});
