// README.md, pipe.yml and the configuration schema must describe the same variables.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { SCENARIOS } from '../simulator/catalog.ts';
import { METRIC_QUERIES_PER_CALL } from '../src/aws/metrics.ts';
import { INTEGER_RANGES, SECRET_VARIABLES, VARIABLE_SPECS } from '../src/config/variables.ts';
import * as BUDGET from '../src/core/budget.ts';
import { METRICS_READ_EVERY_MS } from '../src/core/verification.ts';

const root = new URL('../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const schemaNames = Object.keys(VARIABLE_SPECS).sort();

function readmeVariables(): Map<string, { required: boolean; defaultText: string }> {
  const section = read('README.md').split('## Variables')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, { required: boolean; defaultText: string }>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)`( \(\*\))? \|.*\|([^|]*)\|$/.exec(line);
    if (m) rows.set(m[1] as string, { required: Boolean(m[2]), defaultText: (m[3] as string).trim() });
  }
  return rows;
}

function readmeRow(name: string): string {
  const section = read('README.md').split('## Variables')[1]?.split('\n## ')[0] ?? '';
  return section.split('\n').find((line) => line.startsWith(`| \`${name}\``)) ?? '';
}

describe('docs agree with the code', () => {
  const pipe = parse(read('pipe.yml')) as { image: string; variables: Array<{ name: string; description: string; required: boolean; default?: unknown }> };
  /** Set by Bitbucket on a step with `oidc: true`, never by the user: not a pipe variable. */
  const bitbucketsOwn = ['BITBUCKET_STEP_OIDC_TOKEN'];

  it('pipe.yml declares exactly the variables a user sets, described as the schema describes them', () => {
    expect(pipe.variables.map((v) => v.name).sort()).to.deep.equal(schemaNames.filter((n) => !bitbucketsOwn.includes(n)));
    for (const v of pipe.variables) {
      expect(v.description, v.name).to.equal((VARIABLE_SPECS as Record<string, { desc?: string }>)[v.name]?.desc);
      expect(Object.keys(v).sort(), `${v.name}: only keys Bitbucket reads`).to.satisfy((keys: string[]) =>
        keys.every((k) => ['name', 'description', 'required', 'default'].includes(k)),
      );
    }
  });

  it('the README is one a newcomer finishes: at most 250 lines, no table cell over 300 characters', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).to.be.at.most(250);
    const cells = readme
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .flatMap((l) => l.split(' | '));
    expect(cells.filter((c) => c.length > 300)).to.deep.equal([]);
  });

  it("every range the validation enforces is in the README's Variables table", () => {
    for (const [name, [min, max]] of Object.entries(INTEGER_RANGES)) expect(readmeRow(name), name).to.include(`(${min}–${max})`);
  });

  it("the README's Variables table lists exactly the variables the config reads", () => {
    expect([...readmeVariables().keys()].sort()).to.deep.equal(schemaNames);
  });

  it('required, default and secret agree between pipe.yml, the README and the schema', () => {
    const readme = readmeVariables();
    for (const v of pipe.variables) {
      const spec = (VARIABLE_SPECS as Record<string, { default?: unknown }>)[v.name];
      const row = readme.get(v.name);
      expect(row?.required, `${v.name} required in README`).to.equal(v.required);
      // Required in pipe.yml means the schema has no default (region and credentials are checked across variables).
      if (v.required && v.name !== 'AWS_DEFAULT_REGION') expect(spec && 'default' in spec, `${v.name} has no default in the schema`).to.equal(false);
      if (spec && 'default' in spec && spec.default !== undefined) {
        expect(String(v.default), `${v.name} default in pipe.yml`).to.equal(String(spec.default));
        expect(row?.defaultText, `${v.name} default in README`).to.include(String(spec.default));
      }
    }
    // Secrets are marked where users read about them.
    for (const name of SECRET_VARIABLES) expect(readmeRow(name), name).to.match(/secured variable|do not set it yourself/i);
  });

  it('pipe.yml, the README, the examples and package.json name the same version', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(pipe.image).to.equal(`org/ecs-deploy-notifier:${version}`);
    const docs = ['README.md', 'examples/bitbucket-pipelines.deploy-and-notify.yml', 'examples/bitbucket-pipelines.notify-static-keys.yml'];
    const uses = docs.flatMap((f) => read(f).match(/pipe: org\/ecs-deploy-notifier:\d+\.\d+\.\d+[^\s`]*/g) ?? []);
    expect(uses.length).to.be.greaterThan(0);
    for (const u of uses) expect(u).to.equal(`pipe: org/ecs-deploy-notifier:${version}`);
  });

  it("the README's YAML Definition uses the moving ref of the current major version", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    const definition = read('README.md').split('## YAML Definition')[1]?.split('\n## ')[0] ?? '';
    expect(definition).to.include(`- pipe: org/ecs-deploy-notifier:${version.split('.')[0]}.x\n`);
    expect(definition).to.include(`pipe: docker://org/ecs-deploy-notifier:${version.split('.')[0]}`);
  });

  it("the development notes' benchmark table is the latest bench/RESULTS.md's", () => {
    const table = (text: string) => text.split('\n').filter((line) => line.startsWith('| ') && /(met|missed) \|$|^\| target \|/.test(line));
    const results = table(read('bench/RESULTS.md').split('## Targets')[1]?.split('\n## ')[0] ?? '');
    expect(results.length).to.be.greaterThan(1);
    expect(table(read('docs/development.md'))).to.deep.equal(results);
  });

  it('the README names every demo scenario', () => {
    const tryIt = read('README.md').split('## Try it without AWS')[1]?.split('\n## ')[0] ?? '';
    const options = /```sh\n([\s\S]*?)```/.exec(tryIt)?.[1] ?? '';
    // The first is what a bare `npm run demo` plays; every other one is named as an option.
    for (const { name } of SCENARIOS.slice(1)) expect(options, name).to.match(new RegExp(`\\b${name}\\b`));
    // The demo's own output, in the development notes, ends with every scenario's name.
    const demoEnd = /Other scenarios: (.*)\.\n```/.exec(read('docs/development.md'))?.[1];
    expect(demoEnd).to.equal(SCENARIOS.map((s) => s.name).join(', '));
  });

  it("the API budget per watch (docs/budget.md, linked from the README) states the program's own constants", () => {
    expect(read('README.md').split('## API budget per watch')[1]?.split('\n## ')[0]).to.include('(docs/budget.md)');
    const section = read('docs/budget.md');
    const said = [
      `POLL_INTERVAL ÷ ${BUDGET.CUTOVER_POLL_DIVISOR}`,
      `every ${BUDGET.DENSE_POLL_MS / 1000} s`,
      `for ${BUDGET.DENSE_WINDOW_MS / 1000} s from the moment`,
      `${BUDGET.HEALTHY_WINDOW_POLLS} polls spread over it`,
      `never under ${BUDGET.MIN_POLL_MS} ms`,
      `POLL_INTERVAL × ${BUDGET.LIVE_POLL_FACTOR}`,
      `POLL_INTERVAL × ${BUDGET.SPARSE_POLL_FACTOR}`,
      `up to ${BUDGET.POLL_JITTER * 100} %`,
      `at least ${BUDGET.MIN_REST_SHARE * 100} % of it`,
      `at most ${BUDGET.SLACK_PROGRESS_BUDGET_MS / 1000} s`,
      `for ${BUDGET.SLACK_PRESSURE_MS / 1000} s after that`,
      `up to ${BUDGET.SLACK_OUTCOME_BUDGET_MS / 60_000} min`,
      `up to ${BUDGET.SLACK_CALL_BUDGET_MS / 1000} s`,
      `within ${BUDGET.EVIDENCE_READ_BUDGET_MS / 1000} s`,
      `at most one \`GetMetricData\` a ${METRICS_READ_EVERY_MS === 60_000 ? 'minute' : `${METRICS_READ_EVERY_MS} ms`}`,
      `up to ${METRIC_QUERIES_PER_CALL} a call`,
    ];
    for (const phrase of said) expect(section, phrase).to.include(phrase);
  });
});
