// The release script's dry run on a scratch git repository: version, CHANGELOG, docs, commit, tags,
// and the Docker and push commands it would run.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RELEASE = join(ROOT, 'scripts', 'release.mjs');

describe('release (dry run on a scratch repository)', function () {
  this.timeout(60_000);
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const release = () =>
    execFileSync(process.execPath, [RELEASE, '--dry-run'], { cwd: dir, encoding: 'utf8', env: { ...process.env, BITBUCKET_BRANCH: 'main' } });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'release-'));
    for (const f of ['package.json', 'pipe.yml', 'README.md', 'CHANGELOG.md', 'examples', '.changeset/config.json']) {
      cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    }
    git('init', '--quiet', '--initial-branch=main');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'initial');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('releases the version package.json names when it was never released', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    const out = release();
    expect(git('tag', '--points-at', 'HEAD').split('\n').sort()).to.deep.equal([version, `${version.split('.')[0]}.x`].sort());
    expect(out).to.include(`docker build -t org/ecs-deploy-notifier:${version} .`);
  });

  it('turns a changeset into a minor release: files, commit, tags, image tags, moving x.x ref', () => {
    git('tag', '1.0.0');
    git('tag', '1.x');
    mkdirSync(join(dir, '.changeset'), { recursive: true });
    writeFileSync(join(dir, '.changeset', 'brave-foxes-wait.md'), '---\n"ecs-deploy-notifier": minor\n---\n\nAdd the `SLACK_THREAD_ONLY` variable.\n');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'feature');

    const out = release();

    expect(JSON.parse(read('package.json')).version).to.equal('1.1.0');
    const changelog = read('CHANGELOG.md');
    expect(changelog.indexOf('## 1.1.0')).to.be.greaterThan(0).and.lessThan(changelog.indexOf('## 1.0.0'));
    expect(changelog).to.include('Add the `SLACK_THREAD_ONLY` variable.');
    expect(read('pipe.yml')).to.include('image: org/ecs-deploy-notifier:1.1.0');
    expect(read('README.md')).to.include('pipe: org/ecs-deploy-notifier:1.1.0').and.not.include('ecs-deploy-notifier:1.0.0');
    expect(read('README.md')).to.include('pipe: org/ecs-deploy-notifier:1.x'); // prose about the moving ref stays
    expect(read('examples/bitbucket-pipelines.deploy-and-notify.yml')).to.include('org/ecs-deploy-notifier:1.1.0');
    expect(git('log', '-1', '--format=%s')).to.equal('Release 1.1.0 [skip ci]');
    expect(git('status', '--porcelain')).to.equal('');
    expect(git('tag', '--points-at', 'HEAD').split('\n').sort()).to.deep.equal(['1.1.0', '1.x']);
    for (const line of [
      '[dry-run] $ docker build -t org/ecs-deploy-notifier:1.1.0 .',
      '[dry-run] $ docker tag org/ecs-deploy-notifier:1.1.0 org/ecs-deploy-notifier:1.1',
      '[dry-run] $ docker tag org/ecs-deploy-notifier:1.1.0 org/ecs-deploy-notifier:1',
      '[dry-run] $ docker push org/ecs-deploy-notifier:1.1.0',
      '[dry-run] $ docker push org/ecs-deploy-notifier:1.1',
      '[dry-run] $ docker push org/ecs-deploy-notifier:1',
      '[dry-run] $ git push origin HEAD:main refs/tags/1.1.0',
      '[dry-run] $ git push --force origin refs/tags/1.x',
    ]) {
      expect(out).to.include(line);
    }

    // Nothing pending any more: a second run does nothing.
    expect(release()).to.match(/nothing to do/);
  });
});
