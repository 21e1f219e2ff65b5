#!/usr/bin/env node
// Releases the pipe from main in three stages, so that a published version is never rewritten and
// both runner architectures get an image:
//
//   node scripts/release.mjs prepare [--dry-run]   decide; version, docs, commit; push commit + tag
//   node scripts/release.mjs image --arch A [--dry-run]   build and push IMAGE:x.y.z-A natively (amd64 | arm64)
//   node scripts/release.mjs publish [--dry-run]   manifest lists x.y.z, x.y, x over both; move the x.x ref
//
// Safety, in order: the remote's tags are asked for (a Bitbucket clone is shallow, single-branch
// and has no older tags), so a released version is never "first released" again; an image tag
// x.y.z that the registry already holds is never pushed, and a registry that does not clearly say
// "no such manifest" (unauthorized, down) stops the release; the git tag is pushed before any image,
// so a version whose tag push fails has no image either. `prepare` writes release.env (the version,
// or nothing to release) for the later stages, which run in other steps (x86 and ARM runners).
//
// --dry-run changes nothing outside the clone: it prints the pushes instead of running them (the
// registry is still asked, read-only, where a Docker CLI is at hand). DOCKER names the Docker CLI
// (tests pass a stand-in); DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD log in for real runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE, syncVersion } from './sync-version.mjs';

export const ARCHES = ['amd64', 'arm64'];
const ENV_FILE = 'release.env';

const [stage = 'prepare', ...rest] = process.argv.slice(2);
const dryRun = rest.includes('--dry-run');
const arch = rest[rest.indexOf('--arch') + 1];
const docker = process.env.DOCKER ?? 'docker';
const here = dirname(fileURLToPath(import.meta.url));
const changesetBin = join(here, '..', 'node_modules', '@changesets', 'cli', 'bin.js');

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts }).trim();
const git = (...args) => sh('git', args);
/** A command with effects outside the clone: printed, and run unless --dry-run. */
const outside = (cmd, args, opts) => {
  console.log(`${dryRun ? '[dry-run] ' : ''}$ ${cmd} ${args.join(' ')}`);
  if (!dryRun) execFileSync(cmd, args, { stdio: 'inherit', ...opts });
};
const fail = (message) => {
  console.error(`release: ${message}`);
  process.exit(1);
};

const pending = () => (existsSync('.changeset') ? readdirSync('.changeset').filter((f) => f.endsWith('.md') && f !== 'README.md') : []);
const packageVersion = () => JSON.parse(readFileSync('package.json', 'utf8')).version;

/** Tags on the remote (the clone's own may be missing); none when there is no remote. */
function remoteTags() {
  const remotes = git('remote');
  if (!remotes.split('\n').includes('origin')) return new Set();
  const out = git('ls-remote', '--tags', '--refs', 'origin');
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('refs/tags/')[1]),
  );
}

/** What the registry answers for a tag it does not hold (Docker Hub and the distribution API). */
const NOT_IN_REGISTRY = /no such manifest|manifest unknown|not found/i;

/**
 * Whether the registry holds IMAGE:tag; undefined when no Docker CLI can tell (dry run on a bare
 * machine). Only a clear "no such manifest" counts as absent: any other failure (unauthorized, a
 * registry that is down) stops the release, since pushing blind could overwrite a published image.
 */
function published(tag) {
  try {
    execFileSync(docker, ['manifest', 'inspect', `${IMAGE}:${tag}`], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    return true;
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    const said = String(error.stderr ?? '').trim();
    if (NOT_IN_REGISTRY.test(said)) return false;
    fail(`could not tell whether ${IMAGE}:${tag} is in the registry (${said.split('\n')[0] || `exit ${error.status}`}); not releasing blind`);
  }
}

function refuseIfPublished(tag) {
  const found = published(tag);
  if (found) fail(`${IMAGE}:${tag} is already in the registry; a published version is never overwritten. Add a changeset for a new version.`);
  if (found === undefined) console.log(`release: no Docker CLI to ask whether ${IMAGE}:${tag} exists (dry run only)`);
}

/** Logs in before the registry is asked, when credentials are at hand: a private repository answers only then. */
function loginIfPossible() {
  if (process.env.DOCKERHUB_USERNAME && process.env.DOCKERHUB_PASSWORD) login();
}

function login() {
  if (dryRun) return;
  if (!process.env.DOCKERHUB_USERNAME || !process.env.DOCKERHUB_PASSWORD) fail('DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD are required (secured variables)');
  execFileSync(docker, ['login', '--username', process.env.DOCKERHUB_USERNAME, '--password-stdin'], {
    input: process.env.DOCKERHUB_PASSWORD,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
}

/** The release tag in this clone (a step's clone has no tags); fetching changes nothing outside it. */
function fetchTag(v) {
  if (git('tag', '--list', v) !== v) git('fetch', '--quiet', '--no-tags', 'origin', `+refs/tags/${v}:refs/tags/${v}`);
}

function releaseVersion() {
  if (!existsSync(ENV_FILE)) fail(`${ENV_FILE} is missing: run the prepare stage first`);
  return /^RELEASE_VERSION=(.*)$/m.exec(readFileSync(ENV_FILE, 'utf8'))?.[1]?.trim() ?? '';
}

function prepare() {
  const released = new Set([...git('tag', '--list').split('\n').filter(Boolean), ...remoteTags()]);
  if (pending().length) {
    execFileSync(process.execPath, [changesetBin, 'version'], { stdio: 'inherit' });
  } else if (released.has(packageVersion())) {
    console.log(`release: no pending changesets and ${packageVersion()} is already released; nothing to do`);
    writeFileSync(ENV_FILE, 'RELEASE_VERSION=\n');
    return;
  }
  // Otherwise: the first release of the version package.json already names.
  const v = packageVersion();
  if (released.has(v)) fail(`the changesets make ${v}, which is already tagged; check the tags and package.json`);
  loginIfPossible();
  refuseIfPublished(v);
  for (const a of ARCHES) refuseIfPublished(`${v}-${a}`);

  syncVersion('.');
  git('add', '--all', '--', '.', `:!${ENV_FILE}`);
  if (git('status', '--porcelain', '--untracked-files=no')) git('commit', '--quiet', '-m', `Release ${v} [skip ci]`);
  git('tag', '-a', v, '-m', `Release ${v}`);
  console.log(`release: ${v} committed and tagged`);
  // The tag goes out before any image, atomically with the commit: if the remote refuses it (the
  // tag exists there, or main moved on), nothing is published.
  outside('git', ['push', '--atomic', 'origin', `HEAD:${process.env.BITBUCKET_BRANCH ?? 'main'}`, `refs/tags/${v}`]);
  writeFileSync(ENV_FILE, `RELEASE_VERSION=${v}\n`);
}

function image() {
  if (!ARCHES.includes(arch)) fail(`--arch must be one of ${ARCHES.join(', ')}`);
  const v = releaseVersion();
  if (!v) return console.log('release: nothing to release');
  const tag = `${v}-${arch}`;
  login();
  refuseIfPublished(tag);
  // The released commit (the step's own clone is the commit before the release commit).
  fetchTag(v);
  outside('git', ['checkout', '--quiet', v]);
  // Built natively on a runner of this architecture: no emulation, and the build stage's esbuild
  // binary matches the machine.
  outside(docker, ['build', '--platform', `linux/${arch}`, '-t', `${IMAGE}:${tag}`, '.']);
  outside(docker, ['push', `${IMAGE}:${tag}`]);
}

function publish() {
  const v = releaseVersion();
  if (!v) return console.log('release: nothing to release');
  const [major, minor] = v.split('.');
  login();
  refuseIfPublished(v);
  const parts = ARCHES.map((a) => `${IMAGE}:${v}-${a}`);
  // x.y.z is written once; x.y and x move to the newest release of their line.
  for (const t of [v, `${major}.${minor}`, major]) {
    outside(docker, ['manifest', 'create', '--amend', `${IMAGE}:${t}`, ...parts]);
    outside(docker, ['manifest', 'push', '--purge', `${IMAGE}:${t}`]);
  }
  // The pipe ref users write (`:1.x`) follows the newest release of that major version.
  fetchTag(v);
  git('tag', '-f', `${major}.x`, `${v}^{}`);
  outside('git', ['push', '--force', 'origin', `refs/tags/${major}.x`]);
  console.log(`release: ${v} published for ${ARCHES.map((a) => `linux/${a}`).join(' and ')}; ${major}.x points to it`);
}

const stages = { prepare, image, publish };
if (!stages[stage]) fail(`unknown stage "${stage}": use prepare, image --arch A, or publish`);
stages[stage]();
