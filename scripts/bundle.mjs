/**
 * `npm run build`'s second step: bundles the compiled app (dist/src/index.js) and the libraries it
 * brings of its own (zod, Kysely, pino, prom-client, …) into one minified file, dist/ftrag.js, which
 * `npm start` runs. Loaded as some 400 separate modules, those libraries held about 14 MB more heap
 * at start and 15–20 MB more RSS under load (docs/benchmarks.md).
 *
 * Left out, loaded from node_modules as usual: Bolt and the Slack packages (the same code a bare
 * Bolt app runs), the database drivers (native code; only the one in use is loaded) and dotenv.
 * The source map chains through tsc's maps, so stack traces name the TypeScript sources.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/index.js'],
  outfile: 'dist/ftrag.js',
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  external: ['@slack/*', 'better-sqlite3', 'pg', 'dotenv'],
  // CommonJS libraries inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as ftragCreateRequire } from 'node:module'; const require = ftragCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
