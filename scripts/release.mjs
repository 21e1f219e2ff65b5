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
// x.y.z that the registry already holds is never pushed, and only the registry's own "no such
// manifest" counts as absent (unauthorized, down, a broken credential helper stop the release);
// the git tag is pushed before any image, so a version whose tag push fails has no image either.
// `prepare` writes release.env (the version, or nothing to release) for the later stages, which
// run in other steps (x86 and ARM runners).
//
// Every stage can be run again after a failure and completes what is missing: an architecture's
// image already pushed is not built again, an x.y.z already made of exactly the two images is kept
// and x.y, x and the x.x ref are carried on. A version tagged on the remote but not published
// (its image steps failed and the artifact is gone) is finished by the next pipeline: `prepare`
// pushes RESUME_FILE, whose change lets the image steps run (bitbucket-pipelines.yml), and hands
// the version on.
//
// --dry-run changes nothing outside the clone: it prints the pushes instead of running them (the
// registry is still asked, read-only, where a Docker CLI is at hand). DOCKER names the Docker CLI
// (tests pass a stand-in); DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD log in for real runs. A real
// run without a Docker CLI to ask the registry stops before it changes anything.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE, syncVersion } from './sync-version.mjs';

export const ARCHES = ['amd64', 'arm64'];
const ENV_FILE = 'release.env';
/** Its change in a push lets the image and publish steps run (their condition in bitbucket-pipelines.yml). */
export const RESUME_FILE = '.release-resume';
/** The image's smoke test: without variables it must refuse the configuration (exit 2) from its compile cache. */
const SMOKE_EXIT = 2;
const SMOKE_CACHE_ACCEPTED = /V8 code cache for CommonJS \/pipe\/ecs-deploy-notifier\.cjs was accepted/;

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

/**
 * What the registry itself answers for a tag it does not hold: the Docker CLI's "no such manifest"
 * and the distribution API's MANIFEST_UNKNOWN. Nothing looser: a credential helper's "executable
 * file not found" is a broken login, not an absent image.
 */
const NOT_IN_REGISTRY = /no such manifest|manifest unknown/i;

/**
 * What the registry holds at IMAGE:tag: the digests of its image, or of each image of its manifest
 * list (`docker manifest inspect --verbose`); null when it holds nothing there; undefined when no
 * Docker CLI can tell. Any other failure (unauthorized, down) stops the release.
 */
function inspect(tag) {
  let out;
  try {
    out = execFileSync(docker, ['manifest', 'inspect', '--verbose', `${IMAGE}:${tag}`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    const said = String(error.stderr ?? '').trim();
    if (NOT_IN_REGISTRY.test(said)) return null;
    fail(`could not tell whether ${IMAGE}:${tag} is in the registry (${said.split('\n')[0] || `exit ${error.status}`}); not releasing blind`);
  }
  const parsed = JSON.parse(out);
  return (Array.isArray(parsed) ? parsed : [parsed]).map((entry) => entry?.Descriptor?.digest ?? '');
}

/** Whether IMAGE:tag is in the registry; a real run that cannot ask stops here. */
function published(tag) {
  const found = inspect(tag);
  if (found !== undefined) return found !== null;
  if (!dryRun) fail(`no Docker CLI (${docker}) to ask whether ${IMAGE}:${tag} is in the registry; a real release stops before it changes anything`);
  console.log(`release: no Docker CLI to ask whether ${IMAGE}:${tag} exists (dry run only)`);
  return false;
}

function refuseIfPublished(tag) {
  if (published(tag)) fail(`${IMAGE}:${tag} is already in the registry; a published version is never overwritten. Add a changeset for a new version.`);
}

/** The per-architecture images of `v`, by digest; fails when one is missing. */
function archDigests(v) {
  return ARCHES.map((a) => {
    const found = inspect(`${v}-${a}`);
    // A dry run's image steps pushed nothing: say what a real run would need, and go on.
    if (found === null && dryRun) console.log(`release: ${IMAGE}:${v}-${a} is not in the registry (a real publish needs its image step first)`);
    else if (found === null) fail(`${IMAGE}:${v}-${a} is not in the registry: run its image step first`);
    return found?.[0];
  });
}

/** Whether IMAGE:v is a manifest list of exactly the images in `digests` (an earlier publish made it). */
function isListOf(found, digests) {
  return found.length === digests.length && digests.every((d) => d && found.includes(d));
}

/** Whether `v` is fully released: IMAGE:v made of both architectures' images, and the x.x ref on it. */
function finished(v) {
  const found = inspect(v);
  if (found === undefined) {
    published(v); // a real run stops here
    return true; // a dry run cannot tell, and claims nothing
  }
  if (found === null || ARCHES.some((a) => !inspect(`${v}-${a}`))) return false;
  const commits = remoteTagCommits();
  const ref = commits.get(`${majorOf(v)}.x`);
  return ref !== undefined && ref === commits.get(v);
}

/** The commit each remote tag points to (annotated tags peeled). */
function remoteTagCommits() {
  const commits = new Map();
  for (const line of git('ls-remote', '--tags', 'origin').split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t');
    const name = ref.replace('refs/tags/', '');
    if (name.endsWith('^{}')) commits.set(name.slice(0, -3), sha);
    else if (!commits.has(name)) commits.set(name, sha);
  }
  return commits;
}

const majorOf = (v) => v.split('.')[0];

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
    return resume(packageVersion());
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

/**
 * No changeset, and `v` is tagged: done when the registry holds it and the x.x ref is on it.
 * Otherwise an earlier release stopped half-way (its image steps failed, and the artifact that
 * named the version may be gone): when this push changed RESUME_FILE, the image steps run in this
 * pipeline and are handed `v`; else RESUME_FILE is pushed, so that the next pipeline runs them.
 */
function resume(v) {
  loginIfPossible();
  if (finished(v)) {
    console.log(`release: no pending changesets and ${v} is already released; nothing to do`);
    writeFileSync(ENV_FILE, 'RELEASE_VERSION=\n');
    return;
  }
  const resuming = existsSync(RESUME_FILE) && readFileSync(RESUME_FILE, 'utf8').split('\n')[0] === v && changedByHead(RESUME_FILE);
  if (resuming) {
    console.log(`release: ${v} is tagged but not fully published; finishing it in this pipeline`);
    writeFileSync(ENV_FILE, `RELEASE_VERSION=${v}\n`);
    return;
  }
  writeFileSync(RESUME_FILE, `${v}\n${new Date().toISOString()}\n`);
  git('add', '--', RESUME_FILE);
  git('commit', '--quiet', '-m', `Finish release ${v}`);
  console.log(`release: ${v} is tagged but not fully published; pushing ${RESUME_FILE}, so that the next pipeline builds and publishes it`);
  outside('git', ['push', 'origin', `HEAD:${process.env.BITBUCKET_BRANCH ?? 'main'}`]);
  writeFileSync(ENV_FILE, 'RELEASE_VERSION=\n');
}

/** Whether the commit at HEAD changed `file` (the clone is 50 deep: its parent is there). */
function changedByHead(file) {
  try {
    return git('diff', '--name-only', 'HEAD~1', 'HEAD', '--', file) === file;
  } catch {
    return false;
  }
}

function image() {
  if (!ARCHES.includes(arch)) fail(`--arch must be one of ${ARCHES.join(', ')}`);
  const v = releaseVersion();
  if (!v) return console.log('release: nothing to release');
  const tag = `${v}-${arch}`;
  login();
  // A re-run after a later step failed: this architecture's image is there, built from the tag.
  if (published(tag)) return console.log(`release: ${IMAGE}:${tag} is already in the registry; nothing to build`);
  // The released commit (the step's own clone is the commit before the release commit).
  fetchTag(v);
  outside('git', ['checkout', '--quiet', v]);
  // Built natively on a runner of this architecture: no emulation, and the build stage's esbuild
  // binary matches the machine.
  outside(docker, ['build', '--platform', `linux/${arch}`, '-t', `${IMAGE}:${tag}`, '.']);
  smoke(tag);
  outside(docker, ['push', `${IMAGE}:${tag}`]);
}

/** Runs the image on this runner before it is pushed: no variables → exit 2, from its compile cache. */
function smoke(tag) {
  const args = ['run', '--rm', '-e', 'NODE_DEBUG_NATIVE=COMPILE_CACHE', `${IMAGE}:${tag}`];
  console.log(`${dryRun ? '[dry-run] ' : ''}$ ${docker} ${args.join(' ')}`);
  if (dryRun) return;
  const run = spawnSync(docker, args, { encoding: 'utf8' });
  if (run.status === SMOKE_EXIT && SMOKE_CACHE_ACCEPTED.test(run.stderr ?? '')) return console.log(`release: ${IMAGE}:${tag} starts as it should`);
  const said = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').at(-1) ?? '';
  fail(
    `${IMAGE}:${tag} does not start as it should (without variables it must exit ${SMOKE_EXIT} from its compile cache; it exited ${run.status}${said ? `: ${said}` : ''}); not pushing it`,
  );
}

function publish() {
  const v = releaseVersion();
  if (!v) return console.log('release: nothing to release');
  const [major, minor] = v.split('.');
  login();
  const parts = ARCHES.map((a) => `${IMAGE}:${v}-${a}`);
  const digests = archDigests(v);
  // x.y.z is written once. A re-run after a later push failed finds it made of exactly the two
  // images and carries on; made of anything else, it is never overwritten.
  const existing = inspect(v);
  if (existing === undefined && !dryRun) fail(`no Docker CLI (${docker}) to ask the registry; a real release stops here`);
  if (existing && !isListOf(existing, digests)) fail(`${IMAGE}:${v} is already in the registry with other images; a published version is never overwritten`);
  if (existing) console.log(`release: ${IMAGE}:${v} is already published with both architectures; carrying on with ${major}.${minor}, ${major} and ${major}.x`);
  // x.y and x move to the newest release of their line.
  for (const t of existing ? [`${major}.${minor}`, major] : [v, `${major}.${minor}`, major]) {
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
