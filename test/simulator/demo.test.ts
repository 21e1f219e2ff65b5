// The demo's command line: a newcomer's `--help` or typo gets the scenarios, not a stack trace.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { SCENARIOS } from '../../simulator/catalog.ts';

const run = async (...args: string[]) => {
  const demo = new URL('../../simulator/demo.ts', import.meta.url).pathname;
  const out = spawnSync(process.execPath, ['--import', 'tsx', demo, ...args], { encoding: 'utf8' });
  return { code: out.status, out: out.stdout + out.stderr };
};

describe('simulator/demo: its command line', function () {
  this.timeout(30_000);

  it('--help prints the usage and every scenario, exit 0', async () => {
    const { code, out } = await run('--help');
    expect(code).to.equal(0);
    expect(out).to.match(/^Usage: npm run demo/);
    for (const s of SCENARIOS) expect(out).to.include(s.name);
  });

  it('an unknown option or scenario says so with the usage, exit 2, no stack trace', async () => {
    for (const args of [['--bogus'], ['--scenario', 'nope']]) {
      const { code, out } = await run(...args);
      expect(code, args.join(' ')).to.equal(2);
      expect(out).to.include('Usage: npm run demo');
      expect(out).not.to.match(/\n\s+at /);
    }
  });
});
