// Bundles the program into the single file that both the `bin` entry and the Docker image run.
// CommonJS output: the AWS SDK and @slack/web-api are CommonJS-first, and a CJS bundle needs no
// createRequire shim for Node built-ins.
import { build } from 'esbuild';
import { statSync, chmodSync } from 'node:fs';

const outfile = 'dist/ecs-deploy-notifier.cjs';
await build({
  entryPoints: ['src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`bundled ${outfile} (${(statSync(outfile).size / 1024).toFixed(0)} KiB)`);
