// Every bitbucket-pipelines.yml we ship or document validates against Bitbucket's own schema
// (test/fixtures/schemas, copied from shared/schemas), and the consumer kit matches the code.
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const schema = JSON.parse(read('test/fixtures/schemas/bitbucket-pipelines.schema.json'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

const pipelineFiles = [
  'bitbucket-pipelines.yml',
  ...readdirSync(new URL('examples/', root))
    .filter((f) => f.startsWith('bitbucket-pipelines'))
    .map((f) => `examples/${f}`),
];
const readmeBlocks = [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((y) => /^pipelines:/m.test(y));

describe('bitbucket-pipelines.yml files validate against the schema', () => {
  const check = (name: string, text: string) => {
    const doc = parse(text, { merge: true });
    const ok = validate(doc);
    expect(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`).to.equal(true);
  };
  for (const file of pipelineFiles) it(file, () => check(file, read(file)));
  for (const [i, block] of readmeBlocks.entries()) it(`README example ${i + 1}`, () => check(`README block ${i + 1}`, block));

  it("the release's image and publish steps start only for a push with a changeset or the release script's resume file", () => {
    type Step = { name?: string; condition?: { changesets?: { includePaths?: string[] } } };
    const main: Array<{ step?: Step; parallel?: Array<{ step: Step }> }> = parse(read('bitbucket-pipelines.yml'), { merge: true }).pipelines.branches.main;
    const steps = main.flatMap((entry) => (entry.parallel ? entry.parallel.map((p) => p.step) : entry.step ? [entry.step] : []));
    const resumeFile = /RESUME_FILE = '([^']+)'/.exec(read('scripts/release.mjs'))?.[1];
    const gated = steps.filter((st) => /Release: (image|multi-architecture)/.test(st.name ?? ''));
    expect(gated).to.have.length(3);
    for (const st of gated) expect(st.condition?.changesets?.includePaths, st.name).to.have.members(['.changeset/*.md', resumeFile]);
    // Deciding what to release runs on every push: it is what notices a release that stopped half-way.
    expect(steps.find((st) => /Release: version/.test(st.name ?? ''))?.condition).to.equal(undefined);
  });

  it('the schema rejects broken files (the check can fail)', () => {
    for (const broken of [
      'pipelines:\n  default:\n    - step:\n        script: echo\n',
      'pipelines:\n  default:\n    - step:\n        script: [echo]\n        max-time: soon\n',
      'pipelines:\n  custom:\n    x:\n      - variables:\n          - nam: A\n',
      // An import names repository, branch and pipeline.
      'pipelines:\n  custom:\n    x:\n      import: ecs-pipelines-main\n',
    ]) {
      expect(validate(parse(broken)), broken).to.equal(false);
    }
  });

  it('documents at least the deploy side, the notifier side and the static-key alternative', () => {
    expect(pipelineFiles.length).to.be.at.least(3);
    expect(readmeBlocks.length).to.be.at.least(1);
  });
});

describe('the consumer kit matches the code', () => {
  it('the IAM policy allows exactly the AWS calls the pipe makes', () => {
    // Every reader names each call it makes: count('service:Operation', …).
    const readers = readdirSync(new URL('../src/aws/', import.meta.url)).map((f) => read(`src/aws/${f}`));
    const made = readers.flatMap((code) =>
      [...code.matchAll(/\bcount\(\s*'([a-z0-9]+):(\w+)'/g)].map(([, service, op]) => `${service === 'elbv2' ? 'elasticloadbalancing' : service}:${op}`),
    );
    // What is read at the end of a failed run (container and hook logs, alarms): each command by the client it comes from,
    // directly or through the files of the clients only some runs load (src/aws/extra-clients.ts, src/aws/cloudwatch-client.ts).
    const prefixes: Record<string, string> = { ecs: 'ecs', 'cloudwatch-logs': 'logs', cloudwatch: 'cloudwatch', codedeploy: 'codedeploy' };
    const clientOf = new Map<string, string>();
    const atTheEnd = ['src/aws/logs.ts', 'src/aws/hook-logs.ts', 'src/aws/alarms.ts'];
    for (const file of [...atTheEnd, 'src/aws/extra-clients.ts', 'src/aws/cloudwatch-client.ts']) {
      for (const [, names, client] of read(file).matchAll(/(?:import|export) (?:type )?\{([^}]*)\} from '@aws-sdk\/client-([a-z-]+)'/g)) {
        for (const [, op] of (names ?? '').matchAll(/(\w+)Command\b/g)) clientOf.set(op ?? '', prefixes[client ?? ''] ?? '');
      }
    }
    for (const file of atTheEnd) for (const [, op] of read(file).matchAll(/\b(\w+)Command\(/g)) made.push(`${clientOf.get(op ?? '')}:${op}`);
    const actionsOf = (file: string): string[] => {
      const policy: { Statement: Array<{ Action: string[] }> } = JSON.parse(read(file));
      return policy.Statement.flatMap((s) => s.Action);
    };
    // The policy a team copies grants reads only; the one write, an approver's continue, is a file of its own.
    const reads = actionsOf('examples/iam-policy.json');
    const approvals = actionsOf('examples/iam-policy-approvals.json');
    expect(reads.filter((a) => !/^[a-z0-9-]+:(Describe|List|Get|BatchGet|Filter)\w+$/.test(a))).to.deep.equal([]);
    expect(approvals).to.deep.equal(['ecs:ContinueServiceDeployment']);
    expect([...new Set([...reads, ...approvals])].sort()).to.deep.equal([...new Set(made)].sort());
    expect(read('README.md')).to.include('examples/iam-policy.json');
    expect(read('README.md')).to.include('examples/iam-policy-approvals.json');
  });

  it('the trust policies let Bitbucket OIDC assume the role, and nothing else: one repository, or one deployment environment of it', () => {
    type Trust = { Statement: Array<{ Action: string; Principal: { Federated: string }; Condition: { StringLike: Record<string, string> } }> };
    const subOf = (t: Trust) => Object.entries(t.Statement[0]?.Condition.StringLike ?? {}).find(([k]) => k.endsWith(':sub'))?.[1];
    const repository: Trust = JSON.parse(read('examples/iam-trust-policy.json'));
    const environment: Trust = JSON.parse(read('examples/iam-trust-policy-deploy-environment.json'));
    for (const trust of [repository, environment]) {
      expect(trust.Statement.map((s) => s.Action)).to.deep.equal(['sts:AssumeRoleWithWebIdentity']);
      expect(trust.Statement[0]?.Principal.Federated).to.match(
        /oidc-provider\/api\.bitbucket\.org\/2\.0\/workspaces\/WORKSPACE\/pipelines-config\/identity\/oidc$/,
      );
    }
    // Bitbucket's sub is {repository}{environment}:{step}: any step of the repository, or only the steps of one environment.
    expect(subOf(repository)).to.equal('{REPOSITORY_UUID}*:*');
    expect(subOf(environment)).to.equal('{REPOSITORY_UUID}{ENVIRONMENT_UUID}:*');
  });

  it('the Slack app manifest asks for the scopes the pipe needs', () => {
    const manifest = parse(read('examples/slack-app-manifest.yml')) as { oauth_config: { scopes: { bot: string[] } } };
    expect(manifest.oauth_config.scopes.bot).to.deep.equal([
      'chat:write',
      'chat:write.public',
      'channels:history',
      'groups:history',
      'channels:read',
      'groups:read',
      'reactions:read',
      'bookmarks:read',
      'bookmarks:write',
    ]);
  });

  it('the deploy side fires the notifier without waiting, with the variables the notifier declares', () => {
    const doc = parse(read('examples/bitbucket-pipelines.deploy-and-notify.yml'), { merge: true });
    const deploy = doc.definitions.steps[0].step;
    const trigger = deploy.script.find((s: { pipe?: string }) => s.pipe?.startsWith('atlassian/trigger-pipeline'));
    expect(trigger.variables.WAIT).to.equal('false');
    const passed = (JSON.parse(trigger.variables.PIPELINE_VARIABLES) as Array<{ key: string }>).map((v) => v.key).sort();
    const custom = doc.pipelines.custom[trigger.variables.CUSTOM_PIPELINE_NAME];
    const declared = custom[0].variables.map((v: { name: string }) => v.name).sort();
    expect(passed).to.deep.equal(declared);
    // Each environment's deploy is its own step; none waits for a rollout.
    const envs = doc.pipelines.branches.main
      .filter((s: { step: { deployment?: string } }) => s.step.deployment)
      .map((s: { step: { deployment: string } }) => s.step.deployment);
    expect(envs).to.deep.equal(['dev', 'staging', 'production']);
  });
});
