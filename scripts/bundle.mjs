// Bundles the program into the single file that both the `bin` entry and the Docker image run.
// CommonJS output: the AWS SDK and @slack/web-api are CommonJS-first, and a CJS bundle needs no
// createRequire shim for Node built-ins.
import { build } from 'esbuild';
import { chmodSync, readFileSync, statSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const outfile = 'dist/ecs-deploy-notifier.cjs';
await build({
  entryPoints: ['src/cli.ts'],
  define: { __VERSION__: JSON.stringify(version) },
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true, // error class names appear in messages
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`bundled ${outfile} (${(statSync(outfile).size / 1024).toFixed(0)} KiB)`);
