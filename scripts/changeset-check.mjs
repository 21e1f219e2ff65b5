#!/usr/bin/env node
// The pull-request check that a change carries a changeset, made to work in the clone Bitbucket
// gives a step: single-branch and 50 commits deep, without the destination branch. `git fetch
// origin main` there creates no origin/main (the clone's refspec names only its own branch), and
// where the branch left main is often deeper than 50 commits. So: fetch the destination by an
// explicit refspec, deepen both sides until they meet, then ask changesets.
//
//   node scripts/changeset-check.mjs        (BITBUCKET_PR_DESTINATION_BRANCH, default main)
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEPTH = 50;
const DEEPEN_BY = 200;
const MAX_DEEPENINGS = 5;

const base = process.env.BITBUCKET_PR_DESTINATION_BRANCH || 'main';
const here = dirname(fileURLToPath(import.meta.url));
const changesetBin = join(here, '..', 'node_modules', '@changesets', 'cli', 'bin.js');
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const refspec = `+refs/heads/${base}:refs/remotes/origin/${base}`;

const meet = () => {
  try {
    git('merge-base', `origin/${base}`, 'HEAD');
    return true;
  } catch {
    return false;
  }
};
const shallow = () => git('rev-parse', '--is-shallow-repository') === 'true';

git('fetch', '--no-tags', `--depth=${DEPTH}`, 'origin', refspec);
for (let i = 0; !meet() && shallow() && i < MAX_DEEPENINGS; i++) {
  console.log(`changeset-check: HEAD and origin/${base} do not meet yet; deepening by ${DEEPEN_BY}`);
  // The clone's own refspec (this branch), then the destination: each history grows from its
  // current shallow boundary.
  git('fetch', '--no-tags', `--deepen=${DEEPEN_BY}`, 'origin');
  git('fetch', '--no-tags', `--deepen=${DEEPEN_BY}`, 'origin', refspec);
}
if (!meet() && shallow()) git('fetch', '--no-tags', '--unshallow', 'origin', refspec);
if (!meet()) {
  console.error(`changeset-check: HEAD shares no history with origin/${base}`);
  process.exit(1);
}
const status = spawnSync(process.execPath, [changesetBin, 'status', `--since=origin/${base}`], { stdio: 'inherit' });
if (status.status !== 0) {
  // One line that says what to do, not a stack trace.
  console.error(
    'changeset-check: this branch adds no changeset: run `npx changeset` for a change users notice (see .changeset/README.md), ' +
      'or `npx changeset --empty` for one they do not (docs, tests, CI), and commit the file it writes.',
  );
  process.exit(1);
}
