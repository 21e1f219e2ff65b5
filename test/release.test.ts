// The release and pull-request scripts on scratch repositories cloned the way Bitbucket clones
// (single branch, 50 commits deep, no older tags), against a bare "origin" and a stand-in Docker
// CLI that records what it is asked and holds a fake registry.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RELEASE = join(ROOT, 'scripts', 'release.mjs');
const CHANGESET_CHECK = join(ROOT, 'scripts', 'changeset-check.mjs');
const FILES = ['package.json', 'pipe.yml', 'README.md', 'CHANGELOG.md', 'examples', '.changeset/config.json', '.changeset/README.md', '.gitignore'];

/** A Docker CLI stand-in with a registry in a file (test/support/fake-docker.mjs says what it answers). */
const FAKE_DOCKER = join(ROOT, 'test', 'support', 'fake-docker.mjs');

describe('release (scratch repositories cloned as Bitbucket does)', function () {
  this.timeout(120_000);
  let dir: string;
  let origin: string;
  let work: string;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const docker = () => join(dir, 'docker');
  const dockerLog = () => (existsSync(join(dir, 'docker.log')) ? readFileSync(join(dir, 'docker.log'), 'utf8').trim().split('\n') : []);
  const registry = (...tags: string[]) => writeFileSync(join(dir, 'registry'), `${tags.map((t) => `org/ecs-deploy-notifier:${t}`).join('\n')}\n`);
  const release = (cwd: string, args: string[], env: Record<string, string> = {}) => {
    try {
      const out = execFileSync(process.execPath, [RELEASE, ...args], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          BITBUCKET_BRANCH: 'main',
          DOCKER: docker(),
          FAKE_DOCKER_LOG: join(dir, 'docker.log'),
          FAKE_REGISTRY: join(dir, 'registry'),
          ...env,
        },
      });
      return { code: 0, out };
    } catch (e) {
      const error = e as { status: number; stdout: string; stderr: string };
      return { code: error.status, out: `${error.stdout}${error.stderr}` };
    }
  };
  const commit = (cwd: string, message: string, file = 'notes.txt') => {
    writeFileSync(join(cwd, file), `${message}\n`, { flag: 'a' });
    git(cwd, 'add', '--all');
    git(cwd, 'commit', '--quiet', '-m', message);
  };
  const addChangeset = (cwd: string, bump = 'minor') => {
    writeFileSync(join(cwd, '.changeset', 'brave-foxes-wait.md'), `---\n"ecs-deploy-notifier": ${bump}\n---\n\nAdd the \`SLACK_THREAD_ONLY\` variable.\n`);
    git(cwd, 'add', '--all');
    git(cwd, 'commit', '--quiet', '-m', 'feature with a changeset');
  };
  /** As Bitbucket clones for a step: one branch, 50 commits, no tags beyond them. */
  const cloneAsBitbucket = (branch = 'main') => {
    const target = join(dir, `clone-${branch}-${Math.random().toString(16).slice(2)}`);
    execFileSync('git', ['clone', '--quiet', '--depth', '50', '--single-branch', '--branch', branch, '--no-tags', `file://${origin}`, target]);
    git(target, 'config', 'user.email', 'ci@example.invalid');
    git(target, 'config', 'user.name', 'ci');
    return target;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'release-'));
    cpSync(FAKE_DOCKER, docker());
    chmodSync(docker(), 0o755);
    registry();
    origin = join(dir, 'origin.git');
    work = join(dir, 'work');
    mkdirSync(join(work, '.changeset'), { recursive: true });
    for (const f of FILES) cpSync(join(ROOT, f), join(work, f), { recursive: true });
    git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(work, 'init', '--quiet', '--initial-branch=main');
    git(work, 'config', 'user.email', 'test@example.invalid');
    git(work, 'config', 'user.name', 'test');
    git(work, 'add', '--all');
    git(work, 'commit', '--quiet', '-m', 'initial');
    git(work, 'remote', 'add', 'origin', `file://${origin}`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** 1.0.0 released (tag and image), then `n` commits without a changeset, all pushed. */
  const releasedThen = (n: number) => {
    git(work, 'tag', '-a', '1.0.0', '-m', 'Release 1.0.0');
    git(work, 'tag', '1.x');
    for (let i = 0; i < n; i++) commit(work, `fix ${i}`);
    git(work, 'push', '--quiet', 'origin', 'main', '--tags');
    registry('1.0.0', '1.0.0-amd64', '1.0.0-arm64', '1.0', '1');
  };

  it('does not release 1.0.0 again after 55 commits without a changeset, in a 50-deep clone without its tags', () => {
    releasedThen(55);
    const clone = cloneAsBitbucket();
    expect(git(clone, 'tag', '--list')).to.equal(''); // the clone does not know 1.0.0
    const { code, out } = release(clone, ['prepare', '--dry-run']);
    expect(code, out).to.equal(0);
    expect(out).to.match(/1\.0\.0 is already released; nothing to do/);
    expect(readFileSync(join(clone, 'release.env'), 'utf8')).to.equal('RELEASE_VERSION=\n');
    expect(dockerLog().filter((l) => !l.startsWith('manifest inspect'))).to.deep.equal([]);
    expect(release(clone, ['image', '--arch', 'amd64', '--dry-run']).out).to.match(/nothing to release/);
  });

  it('refuses to push an image version the registry already holds, before pushing anything', () => {
    releasedThen(3);
    // Someone deleted the git tag, or it never made it: the registry still has the image.
    git(work, 'push', '--quiet', 'origin', ':refs/tags/1.0.0');
    git(work, 'tag', '-d', '1.0.0');
    const clone = cloneAsBitbucket();
    const { code, out } = release(clone, ['prepare']);
    expect(code, out).to.equal(1);
    expect(out).to.match(/org\/ecs-deploy-notifier:1\.0\.0 is already in the registry; a published version is never overwritten/);
    expect(git(origin, 'tag', '--list')).to.equal('1.x');
    expect(dockerLog().filter((l) => !l.startsWith('manifest inspect'))).to.deep.equal([]);
  });

  it('stops before pushing anything when the registry will not say whether a version exists', () => {
    releasedThen(2);
    addChangeset(work);
    git(work, 'push', '--quiet', 'origin', 'main');
    const clone = cloneAsBitbucket();
    const { code, out } = release(clone, ['prepare'], { FAKE_REGISTRY_ERROR: 'unauthorized: authentication required' });
    expect(code, out).to.equal(1);
    expect(out).to.match(
      /could not tell whether org\/ecs-deploy-notifier:1\.1\.0 is in the registry \(unauthorized: authentication required\); not releasing blind/,
    );
    expect(git(origin, 'tag', '--list').split('\n').sort()).to.deep.equal(['1.0.0', '1.x']);
    expect(dockerLog().filter((l) => !l.startsWith('manifest inspect'))).to.deep.equal([]);
  });

  it('releases a changeset: tag pushed before any image, one image per architecture, then the multi-architecture tags and the 1.x ref', () => {
    releasedThen(2);
    addChangeset(work);
    git(work, 'push', '--quiet', 'origin', 'main');
    const creds = { DOCKERHUB_USERNAME: 'releaser', DOCKERHUB_PASSWORD: 'not-a-real-password' };

    const prepareStep = cloneAsBitbucket();
    const prepared = release(prepareStep, ['prepare'], creds);
    expect(prepared.code, prepared.out).to.equal(0);
    expect(readFileSync(join(prepareStep, 'release.env'), 'utf8')).to.equal('RELEASE_VERSION=1.1.0\n');
    // On the remote before any image exists; logged in first, so that a private repository answers.
    expect(git(origin, 'tag', '--list').split('\n')).to.include('1.1.0');
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).to.equal('Release 1.1.0 [skip ci]');
    expect(dockerLog().map((l) => l.split(' ').slice(0, 2).join(' '))).to.deep.equal([
      'login --username',
      'manifest inspect',
      'manifest inspect',
      'manifest inspect',
    ]);
    const changelog = git(origin, 'show', 'main:CHANGELOG.md');
    expect(changelog.indexOf('## 1.1.0')).to.be.greaterThan(0).and.lessThan(changelog.indexOf('## 1.0.0'));
    expect(git(origin, 'show', 'main:pipe.yml')).to.include('image: org/ecs-deploy-notifier:1.1.0');

    // The image steps: other clones of the commit that triggered the pipeline, with the artifact.
    for (const arch of ['amd64', 'arm64']) {
      const step = cloneAsBitbucket();
      cpSync(join(prepareStep, 'release.env'), join(step, 'release.env'));
      const built = release(step, ['image', '--arch', arch], creds);
      expect(built.code, built.out).to.equal(0);
      expect(readFileSync(join(step, 'pipe.yml'), 'utf8'), 'built from the release commit').to.include('image: org/ecs-deploy-notifier:1.1.0');
    }
    const publishStep = cloneAsBitbucket();
    cpSync(join(prepareStep, 'release.env'), join(publishStep, 'release.env'));
    const published = release(publishStep, ['publish'], creds);
    expect(published.code, published.out).to.equal(0);

    expect(readFileSync(join(dir, 'docker.log.password'), 'utf8'), 'the password goes through stdin').to.equal(creds.DOCKERHUB_PASSWORD);
    expect(
      dockerLog()
        .filter((l) => l.startsWith('login'))
        .join('\n'),
    ).not.to.include(creds.DOCKERHUB_PASSWORD);
    const calls = dockerLog().filter((l) => !l.startsWith('manifest inspect') && !l.startsWith('login'));
    expect(calls).to.deep.equal([
      'build --platform linux/amd64 -t org/ecs-deploy-notifier:1.1.0-amd64 .',
      // Each image is run on its own runner before it is pushed.
      'run --rm -e NODE_DEBUG_NATIVE=COMPILE_CACHE org/ecs-deploy-notifier:1.1.0-amd64',
      'push org/ecs-deploy-notifier:1.1.0-amd64',
      'build --platform linux/arm64 -t org/ecs-deploy-notifier:1.1.0-arm64 .',
      'run --rm -e NODE_DEBUG_NATIVE=COMPILE_CACHE org/ecs-deploy-notifier:1.1.0-arm64',
      'push org/ecs-deploy-notifier:1.1.0-arm64',
      ...['1.1.0', '1.1', '1'].flatMap((t) => [
        `manifest create --amend org/ecs-deploy-notifier:${t} org/ecs-deploy-notifier:1.1.0-amd64 org/ecs-deploy-notifier:1.1.0-arm64`,
        `manifest push --purge org/ecs-deploy-notifier:${t}`,
      ]),
    ]);
    expect(git(origin, 'rev-parse', '1.x^{commit}')).to.equal(git(origin, 'rev-parse', '1.1.0^{commit}'));
  });

  it('shows both architectures in a dry run, and changes nothing outside the clone', () => {
    releasedThen(1);
    addChangeset(work);
    git(work, 'push', '--quiet', 'origin', 'main');
    const clone = cloneAsBitbucket();
    const out = [
      release(clone, ['prepare', '--dry-run']).out,
      release(clone, ['image', '--arch', 'amd64', '--dry-run']).out,
      release(clone, ['image', '--arch', 'arm64', '--dry-run']).out,
      release(clone, ['publish', '--dry-run']).out,
    ].join('');
    for (const line of [
      '[dry-run] $ git push --atomic origin HEAD:main refs/tags/1.1.0',
      `[dry-run] $ ${docker()} build --platform linux/amd64 -t org/ecs-deploy-notifier:1.1.0-amd64 .`,
      `[dry-run] $ ${docker()} build --platform linux/arm64 -t org/ecs-deploy-notifier:1.1.0-arm64 .`,
      `[dry-run] $ ${docker()} manifest create --amend org/ecs-deploy-notifier:1 org/ecs-deploy-notifier:1.1.0-amd64 org/ecs-deploy-notifier:1.1.0-arm64`,
      '[dry-run] $ git push --force origin refs/tags/1.x',
    ]) {
      expect(out).to.include(line);
    }
    expect(out.indexOf('git push --atomic')).to.be.lessThan(out.indexOf('build --platform'));
    expect(git(origin, 'tag', '--list').split('\n').sort()).to.deep.equal(['1.0.0', '1.x']);
    expect(dockerLog().filter((l) => !l.startsWith('manifest inspect'))).to.deep.equal([]);
  });

  describe('a release that stopped half-way is finished by running again', () => {
    const creds = { DOCKERHUB_USERNAME: 'releaser', DOCKERHUB_PASSWORD: 'not-a-real-password' };
    /** 1.1.0 prepared (tagged and pushed); its release.env, as the later steps get it. */
    const prepared = () => {
      releasedThen(1);
      addChangeset(work);
      git(work, 'push', '--quiet', 'origin', 'main');
      const step = cloneAsBitbucket();
      const out = release(step, ['prepare'], creds);
      expect(out.code, out.out).to.equal(0);
      return readFileSync(join(step, 'release.env'), 'utf8');
    };
    const inStep = (env: string, args: string[], extra: Record<string, string> = {}) => {
      const step = cloneAsBitbucket();
      writeFileSync(join(step, 'release.env'), env);
      return release(step, args, { ...creds, ...extra });
    };
    const pushes = () => dockerLog().filter((l) => /^(push|manifest push)/.test(l));

    it('publish: a re-run after x.y failed to push keeps x.y.z (made of both images) and carries on with x.y, x and the x.x ref', () => {
      const env = prepared();
      for (const arch of ['amd64', 'arm64']) expect(inStep(env, ['image', '--arch', arch]).code).to.equal(0);
      const failed = inStep(env, ['publish'], { FAKE_DOCKER_FAIL: 'manifest push --purge org/ecs-deploy-notifier:1.1' });
      expect(failed.code, failed.out).to.equal(1);
      expect(git(origin, 'rev-parse', '1.x^{commit}')).to.equal(git(origin, 'rev-parse', '1.0.0^{commit}'));

      const again = inStep(env, ['publish']);
      expect(again.code, again.out).to.equal(0);
      expect(again.out).to.match(/org\/ecs-deploy-notifier:1\.1\.0 is already published with both architectures; carrying on/);
      expect(
        pushes().filter((l) => l === 'manifest push --purge org/ecs-deploy-notifier:1.1.0'),
        'x.y.z written once',
      ).to.have.length(1);
      expect(pushes()).to.include('manifest push --purge org/ecs-deploy-notifier:1');
      expect(git(origin, 'rev-parse', '1.x^{commit}')).to.equal(git(origin, 'rev-parse', '1.1.0^{commit}'));
    });

    it('publish: an x.y.z made of other images is never overwritten', () => {
      const env = prepared();
      for (const arch of ['amd64', 'arm64']) expect(inStep(env, ['image', '--arch', arch]).code).to.equal(0);
      writeFileSync(join(dir, 'registry'), 'org/ecs-deploy-notifier:1.1.0 list sha256:0ther sha256:1mages\n', { flag: 'a' });
      const out = inStep(env, ['publish']);
      expect(out.code, out.out).to.equal(1);
      expect(out.out).to.match(/1\.1\.0 is already in the registry with other images; a published version is never overwritten/);
      expect(pushes().some((l) => l.startsWith('manifest push'))).to.equal(false);
    });

    it('image: a re-run does not build again an architecture already pushed', () => {
      const env = prepared();
      expect(inStep(env, ['image', '--arch', 'amd64']).code).to.equal(0);
      const again = inStep(env, ['image', '--arch', 'amd64']);
      expect(again.code, again.out).to.equal(0);
      expect(again.out).to.match(/1\.1\.0-amd64 is already in the registry; nothing to build/);
      expect(dockerLog().filter((l) => l.startsWith('build'))).to.have.length(1);
    });

    it('a version tagged on the remote but not in the registry (the artifact gone) is built and published by the next pipeline', () => {
      prepared(); // the image steps never ran, and release.env is lost with the pipeline
      commit(work, 'docs only, no changeset');
      git(work, 'pull', '--quiet', '--rebase', 'origin', 'main');
      git(work, 'push', '--quiet', 'origin', 'main');
      const next = cloneAsBitbucket();
      const decided = release(next, ['prepare'], creds);
      expect(decided.code, decided.out).to.equal(0);
      expect(decided.out).not.to.match(/nothing to do/);
      expect(decided.out).to.match(/1\.1\.0 is tagged but not fully published; pushing \.release-resume, so that the next pipeline builds and publishes it/);
      expect(git(origin, 'show', 'main:.release-resume').split('\n')[0]).to.equal('1.1.0');

      // The pipeline that push starts: its change to .release-resume lets the image steps run.
      const resumed = cloneAsBitbucket();
      const handed = release(resumed, ['prepare'], creds);
      expect(handed.code, handed.out).to.equal(0);
      expect(handed.out).to.match(/1\.1\.0 is tagged but not fully published; finishing it in this pipeline/);
      const env = readFileSync(join(resumed, 'release.env'), 'utf8');
      expect(env).to.equal('RELEASE_VERSION=1.1.0\n');
      for (const arch of ['amd64', 'arm64']) expect(inStep(env, ['image', '--arch', arch]).code).to.equal(0);
      expect(inStep(env, ['publish']).code).to.equal(0);
      expect(git(origin, 'rev-parse', '1.x^{commit}')).to.equal(git(origin, 'rev-parse', '1.1.0^{commit}'));

      // And once finished, a later pipeline has nothing to do.
      const later = release(cloneAsBitbucket(), ['prepare'], creds);
      expect(later.out).to.match(/1\.1\.0 is already released; nothing to do/);
    });

    it('image: an image that does not start is not pushed (smoke-run on its own runner)', () => {
      const env = prepared();
      const out = inStep(env, ['image', '--arch', 'arm64'], { FAKE_SMOKE_BROKEN: '1' });
      expect(out.code, out.out).to.equal(1);
      expect(out.out).to.match(/org\/ecs-deploy-notifier:1\.1\.0-arm64 does not start as it should .*Cannot find module.*; not pushing it/);
      expect(pushes()).to.deep.equal([]);
    });
  });

  it('a real prepare without a Docker CLI stops before it commits, tags or pushes anything', () => {
    releasedThen(1);
    addChangeset(work);
    git(work, 'push', '--quiet', 'origin', 'main');
    const clone = cloneAsBitbucket();
    const head = git(clone, 'rev-parse', 'HEAD');
    const { code, out } = release(clone, ['prepare'], { DOCKER: join(dir, 'no-such-docker') });
    expect(code, out).to.equal(1);
    expect(out).to.match(/no Docker CLI .* to ask whether org\/ecs-deploy-notifier:1\.1\.0 is in the registry; a real release stops/);
    expect(git(clone, 'rev-parse', 'HEAD')).to.equal(head);
    expect(git(origin, 'tag', '--list').split('\n').sort()).to.deep.equal(['1.0.0', '1.x']);
  });

  it('counts only the registry\'s own answer as absent: a credential helper\'s "executable file not found" stops the release', () => {
    releasedThen(1);
    addChangeset(work);
    git(work, 'push', '--quiet', 'origin', 'main');
    const helper = 'error getting credentials - err: exec: "docker-credential-pass": executable file not found in $PATH, out: ``';
    const { code, out } = release(cloneAsBitbucket(), ['prepare'], { FAKE_REGISTRY_ERROR: helper });
    expect(code, out).to.equal(1);
    expect(out).to.match(/could not tell whether org\/ecs-deploy-notifier:1\.1\.0 is in the registry \(error getting credentials/);
    expect(git(origin, 'tag', '--list').split('\n').sort()).to.deep.equal(['1.0.0', '1.x']);
  });

  it('the pull-request check says in one line how to add a changeset, or an empty one for a docs-only change', () => {
    git(work, 'checkout', '--quiet', '-b', 'docs');
    commit(work, 'docs only', 'README.md');
    git(work, 'push', '--quiet', 'origin', 'main', 'docs');
    const clone = cloneAsBitbucket('docs');
    let out = '';
    let code = 0;
    try {
      execFileSync(process.execPath, [CHANGESET_CHECK], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const error = e as { status: number; stdout: string; stderr: string };
      code = error.status;
      out = `${error.stdout}${error.stderr}`;
    }
    expect(code, out).to.equal(1);
    expect(out).to.match(/changeset-check: this branch adds no changeset: run `npx changeset` .* or `npx changeset --empty`/);
    expect(out, 'no stack trace').not.to.match(/\n\s+at |execFileSync|Error: Command failed/);

    // The empty changeset the line names is accepted.
    execFileSync(process.execPath, [join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js'), '--empty'], { cwd: work, stdio: 'ignore' });
    git(work, 'add', '--all');
    git(work, 'commit', '--quiet', '-m', 'empty changeset');
    git(work, 'push', '--quiet', 'origin', 'docs');
    expect(() => execFileSync(process.execPath, [CHANGESET_CHECK], { cwd: cloneAsBitbucket('docs'), stdio: 'ignore' })).not.to.throw();
  });

  it('the pull-request check finds where the branch left main in a 50-deep single-branch clone', () => {
    for (let i = 0; i < 5; i++) commit(work, `main ${i}`);
    git(work, 'checkout', '--quiet', '-b', 'feature');
    for (let i = 0; i < 55; i++) commit(work, `feature ${i}`);
    git(work, 'checkout', '--quiet', 'main');
    for (let i = 0; i < 55; i++) commit(work, `main later ${i}`);
    git(work, 'push', '--quiet', 'origin', 'main', 'feature');
    const check = (cwd: string) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, [CHANGESET_CHECK], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
      } catch (e) {
        const error = e as { status: number; stdout: string; stderr: string };
        return { code: error.status, out: `${error.stdout}${error.stderr}` };
      }
    };
    const without = cloneAsBitbucket('feature');
    // What the pipeline did before: no origin/main appears, and changesets cannot compare.
    git(without, 'fetch', '--quiet', 'origin', 'main');
    expect(() => git(without, 'rev-parse', '--verify', 'origin/main')).to.throw();
    const noChangeset = check(without);
    expect(noChangeset.code, noChangeset.out).to.equal(1);
    expect(noChangeset.out).not.to.match(/Failed to find where HEAD diverged/);
    expect(noChangeset.out).to.match(/deepening/);

    git(work, 'checkout', '--quiet', 'feature');
    addChangeset(work, 'patch');
    git(work, 'push', '--quiet', 'origin', 'feature');
    const withChangeset = check(cloneAsBitbucket('feature'));
    expect(withChangeset.code, withChangeset.out).to.equal(0);
  });
});
