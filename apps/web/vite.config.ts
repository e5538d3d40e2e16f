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
      output: {
        // Libraries change less often than our code: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'mantine', test: /[\\/]node_modules[\\/]@mantine[\\/]/ },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
