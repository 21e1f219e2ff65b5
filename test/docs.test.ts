// README.md, pipe.yml and the configuration schema must describe the same variables.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { SECRET_VARIABLES, VARIABLE_SPECS } from '../src/config.ts';

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

describe('docs agree with the code', () => {
  const pipe = parse(read('pipe.yml')) as { image: string; variables: Array<{ name: string; required: boolean; default?: unknown; secret?: boolean }> };

  it('pipe.yml declares exactly the variables the config reads', () => {
    expect(pipe.variables.map((v) => v.name).sort()).to.deep.equal(schemaNames);
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
      expect(Boolean(v.secret), `${v.name} secret`).to.equal(SECRET_VARIABLES.includes(v.name));
    }
  });

  it('pipe.yml, the README, the examples and package.json name the same version', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(pipe.image).to.equal(`org/ecs-deploy-notifier:${version}`);
    const docs = ['README.md', 'examples/bitbucket-pipelines.deploy-and-notify.yml', 'examples/bitbucket-pipelines.notify-static-keys.yml'];
    const uses = docs.flatMap((f) => read(f).match(/pipe: org\/ecs-deploy-notifier:\d+\.\d+\.\d+[^\s`]*/g) ?? []);
    expect(uses.length).to.be.greaterThan(0);
    for (const u of uses) expect(u).to.equal(`pipe: org/ecs-deploy-notifier:${version}`);
  });
});
