// Bundles the server (and the workspace libs it imports) into dist/; third-party packages stay
// external and load from node_modules, so native and dynamic requires keep working.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((d) => !d.startsWith('@stagecoach/'));

await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli/index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  sourcemap: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  external: [...external, ...external.map((d) => `${d}/*`)],
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
  // Some bundled CommonJS helpers call require(); give ESM output a real one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
