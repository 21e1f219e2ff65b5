// Bundles the program into the single file that both the `bin` entry and the Docker image run.
// CommonJS output: the AWS SDK and @slack/web-api are CommonJS-first, and a CJS bundle needs no
// createRequire shim for Node built-ins.

import { chmodSync, readFileSync, statSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const outfile = 'dist/ecs-deploy-notifier.cjs';
// The SDK clients only some runs need go to a second file beside the first (src/aws/extra-clients.ts),
// required at their first use: every other run parses about a tenth less at start-up. CloudWatch,
// which most runs load (VERIFY), has a third file of its own (src/aws/cloudwatch-client.ts), so that
// loading it does not load the others.
const extra = 'ecs-deploy-notifier-extra.cjs';
const common = {
  bundle: true,
  platform: 'node',
  // The oldest Node the program runs on (package.json engines: >= 24.5).
  target: 'node24',
  format: 'cjs',
  minify: true,
  keepNames: true, // error class names appear in messages
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};
const cloudWatch = 'ecs-deploy-notifier-cloudwatch.cjs';
const splitExtra = {
  name: 'extra-clients',
  setup(b) {
    b.onResolve({ filter: /\/extra-clients\.ts$/ }, () => ({ path: `./${extra}`, external: true }));
    b.onResolve({ filter: /\/cloudwatch-client\.ts$/ }, () => ({ path: `./${cloudWatch}`, external: true }));
  },
};
await build({ ...common, entryPoints: ['src/aws/extra-clients.ts'], outfile: `dist/${extra}` });
await build({ ...common, entryPoints: ['src/aws/cloudwatch-client.ts'], outfile: `dist/${cloudWatch}` });
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  plugins: [splitExtra],
  define: { __VERSION__: JSON.stringify(version) },
  outfile,
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(outfile, 0o755);
const kib = (file) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
console.log(
  `bundled ${outfile} (${kib(outfile)}), dist/${extra} (${kib(`dist/${extra}`)}) and dist/${cloudWatch} (${kib(`dist/${cloudWatch}`)}), loaded when needed`,
);
