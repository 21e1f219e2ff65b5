#!/usr/bin/env node
// Releases the pipe from main: version (changesets), docs, commit, tag, image x.y.z / x.y / x,
// and the moving `x.x` git ref that `pipe: org/ecs-deploy-notifier:1.x` resolves to.
//
//   node scripts/release.mjs [--dry-run]
//
// --dry-run does everything local (version, files, commit, tags) and prints the Docker and push
// commands instead of running them. Needs DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE, syncVersion } from './sync-version.mjs';

const dryRun = process.argv.includes('--dry-run');
const here = dirname(fileURLToPath(import.meta.url));
const changesetBin = join(here, '..', 'node_modules', '@changesets', 'cli', 'bin.js');

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts }).trim();
const git = (...args) => sh('git', args);
const remote = (cmd, args, opts) => {
  console.log(`${dryRun ? '[dry-run] ' : ''}$ ${cmd} ${args.join(' ')}`);
  if (!dryRun) execFileSync(cmd, args, { stdio: 'inherit', ...opts });
};

const pending = () => (existsSync('.changeset') ? readdirSync('.changeset').filter((f) => f.endsWith('.md') && f !== 'README.md') : []);
const version = () => JSON.parse(readFileSync('package.json', 'utf8')).version;
const tagExists = (tag) => git('tag', '--list', tag) === tag;

if (!dryRun && (!process.env.DOCKERHUB_USERNAME || !process.env.DOCKERHUB_PASSWORD)) {
  console.error('release: DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD are required (secured variables)');
  process.exit(2);
}

if (pending().length) {
  execFileSync(process.execPath, [changesetBin, 'version'], { stdio: 'inherit' });
} else if (tagExists(version())) {
  console.log(`release: no pending changesets and ${version()} is already released; nothing to do`);
  process.exit(0);
}
// Otherwise: the first release of the version package.json already names.

const v = version();
const [major, minor] = v.split('.');
syncVersion('.');
git('add', '--all');
if (git('status', '--porcelain')) git('commit', '--quiet', '-m', `Release ${v} [skip ci]`);
git('tag', '-a', v, '-m', `Release ${v}`);
// The pipe ref users write (`:1.x`) follows the newest release of that major version.
git('tag', '-f', `${major}.x`);
console.log(`release: ${v} committed and tagged; ${major}.x now points to it`);

const tags = [v, `${major}.${minor}`, major].map((t) => `${IMAGE}:${t}`);
remote('docker', ['build', '-t', tags[0], '.']);
for (const t of tags.slice(1)) remote('docker', ['tag', tags[0], t]);
if (!dryRun) {
  execFileSync('docker', ['login', '--username', process.env.DOCKERHUB_USERNAME, '--password-stdin'], {
    input: process.env.DOCKERHUB_PASSWORD,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
}
for (const t of tags) remote('docker', ['push', t]);
remote('git', ['push', 'origin', `HEAD:${process.env.BITBUCKET_BRANCH ?? 'main'}`, `refs/tags/${v}`]);
remote('git', ['push', '--force', 'origin', `refs/tags/${major}.x`]);
