import { expect } from 'chai';
import { loadConfig, valueFor } from '../../src/config/load.ts';
import { MAX_SERVICES } from '../../src/config/validators.ts';
import { ConfigError } from '../../src/errors.ts';
import { validEnv } from '../support/env.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  expect.fail('expected a ConfigError');
}

describe('config', () => {
  it('reads a minimal valid environment with defaults', () => {
    const c = loadConfig(validEnv());
    expect(c.cluster).to.equal('prod');
    expect(c.services).to.deep.equal(['api']);
    expect(c.taskDefinitions).to.equal(undefined);
    expect(c.ref).to.deep.equal({ type: 'branch', name: 'main' });
    expect(c.slack.channel).to.equal('#deploys');
    expect(c.slack.apiUrl).to.equal('https://slack.com/api/');
    expect(c.aws).to.deep.equal({
      region: 'eu-west-1',
      credentials: { kind: 'static', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY' },
    });
    expect(c.waitTimeoutMs).to.equal(1_800_000);
    expect(c.pollIntervalMs).to.equal(10_000);
    expect(c.debug).to.equal(false);
    expect(c.waitUntil).to.equal('retired');
  });

  it('reads WAIT_UNTIL: live or retired, any case; anything else is named', () => {
    expect(loadConfig({ ...validEnv(), WAIT_UNTIL: 'Live ' }).waitUntil).to.equal('live');
    expect(loadConfig({ ...validEnv(), WAIT_UNTIL: 'retired' }).waitUntil).to.equal('retired');
    expect(problemsOf({ ...validEnv(), WAIT_UNTIL: 'baked' }).join('\n')).to.match(/WAIT_UNTIL must be live or retired, not "baked"/);
  });

  it('accepts several services comma-separated and in Bitbucket list form', () => {
    expect(loadConfig({ ...validEnv(), SERVICE_NAME: 'api, worker' }).services).to.deep.equal(['api', 'worker']);
    const listForm = { ...validEnv(), SERVICE_NAME_COUNT: '2', SERVICE_NAME_0: 'api', SERVICE_NAME_1: 'worker' };
    delete (listForm as Record<string, string>).SERVICE_NAME;
    expect(loadConfig(listForm).services).to.deep.equal(['api', 'worker']);
  });

  it('parses task definitions as ARN or family:revision, one per service', () => {
    const c = loadConfig({
      ...validEnv(),
      SERVICE_NAME: 'api,worker',
      TASK_DEFINITION: 'api:42,arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:7',
    });
    expect(c.taskDefinitions).to.deep.equal([
      { family: 'api', revision: 42 },
      { family: 'worker', revision: 7, arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:7' },
    ]);
  });

  it('rejects a task definition without a numeric revision, and a count mismatch', () => {
    expect(problemsOf({ ...validEnv(), TASK_DEFINITION: 'api:latest' })[0]).to.match(/^TASK_DEFINITION .*"api:latest"/);
    expect(problemsOf({ ...validEnv(), SERVICE_NAME: 'api,worker', TASK_DEFINITION: 'api:1' })[0]).to.match(/^TASK_DEFINITION names 1 .* 2 service/);
  });

  it('a tag wins over a branch; explicit values win over BITBUCKET_*', () => {
    expect(loadConfig({ ...validEnv(), BITBUCKET_TAG: 'v1.2.3' }).ref).to.deep.equal({ type: 'tag', name: 'v1.2.3' });
    expect(loadConfig({ ...validEnv(), BRANCH: 'release/2' }).ref).to.deep.equal({ type: 'branch', name: 'release/2' });
    expect(loadConfig({ ...validEnv(), COMMIT: 'ABCDEF1' }).commit).to.equal('abcdef1');
  });

  it('treats empty strings (unset Bitbucket variables) as absent', () => {
    const c = loadConfig({ ...validEnv(), TAG: '', TASK_DEFINITION: '  ', WAIT_TIMEOUT: '' });
    expect(c.ref.type).to.equal('branch');
    expect(c.taskDefinitions).to.equal(undefined);
    expect(c.waitTimeoutMs).to.equal(1_800_000);
  });

  it('lists every missing variable by name at once', () => {
    const problems = problemsOf({});
    const text = problems.join('\n');
    for (const name of ['CLUSTER_NAME', 'SERVICE_NAME', 'ENVIRONMENT', 'SLACK_TOKEN', 'SLACK_CHANNEL', 'AWS_DEFAULT_REGION', 'BRANCH or TAG']) {
      expect(
        problems.some((p) => p.startsWith(`${name} is required`)),
        name,
      ).to.equal(true);
    }
    expect(text).not.to.match(/credentials/);
  });

  it('makes a Code Insights report only inside a pipeline, on a known commit of a known repository, unless turned off', () => {
    const inPipeline = { ...validEnv(), BITBUCKET_BUILD_NUMBER: '7', BITBUCKET_REPO_FULL_NAME: 'acme/shop' };
    expect(loadConfig(inPipeline).codeInsights).to.deep.equal({
      proxy: 'http://host.docker.internal:29418',
      repository: 'acme/shop',
      commit: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0',
      environment: 'production',
    });
    expect(loadConfig({ ...inPipeline, BITBUCKET_API_PROXY: 'http://proxy.runner:29418' }).codeInsights?.proxy).to.equal('http://proxy.runner:29418');
    expect(loadConfig({ ...inPipeline, CODE_INSIGHTS: 'false' }).codeInsights).to.equal(undefined);
    expect(loadConfig(validEnv()).codeInsights, 'outside a pipeline').to.equal(undefined);
  });

  it("without keys or a role, uses the runner's own credentials (the SDK's default chain), saying where it expects them", () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...none } = validEnv();
    expect(loadConfig(none).aws.credentials).to.deep.equal({ kind: 'default', expected: 'instance profile' });
    expect(loadConfig({ ...none, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' }).aws.credentials).to.deep.include({
      expected: 'container credentials',
    });
    expect(loadConfig({ ...none, AWS_PROFILE: 'deploy' }).aws.credentials).to.deep.include({ expected: 'shared config profile' });
    // Keys, half given, are still an error: the chain is for no keys at all.
    expect(problemsOf({ ...none, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }).join('\n')).to.match(/AWS_SECRET_ACCESS_KEY is required with AWS_ACCESS_KEY_ID/);
  });

  it('never echoes a secret, even a malformed one', () => {
    const badToken = 'xoxp-not-a-bot-token-SEKRIT';
    const badSecret = 'has white space SEKRIT2';
    const problems = problemsOf({ ...validEnv(), SLACK_TOKEN: badToken, AWS_SECRET_ACCESS_KEY: badSecret, AWS_ACCESS_KEY_ID: 'lower' });
    const text = problems.join('\n');
    expect(text).to.include('SLACK_TOKEN').and.include('AWS_SECRET_ACCESS_KEY').and.include('AWS_ACCESS_KEY_ID');
    expect(text).not.to.include('SEKRIT');
    expect(text).not.to.include('lower');
  });

  it('uses OIDC when AWS_OIDC_ROLE_ARN is set, and needs the step token', () => {
    const base = validEnv();
    delete (base as Record<string, string>).AWS_ACCESS_KEY_ID;
    delete (base as Record<string, string>).AWS_SECRET_ACCESS_KEY;
    const role = 'arn:aws:iam::123456789012:role/deploy-notifier';
    expect(problemsOf({ ...base, AWS_OIDC_ROLE_ARN: role })[0]).to.match(/^BITBUCKET_STEP_OIDC_TOKEN .*oidc: true/);
    const c = loadConfig({ ...base, AWS_OIDC_ROLE_ARN: role, BITBUCKET_STEP_OIDC_TOKEN: 'eyJ.jwt.sig', BITBUCKET_BUILD_NUMBER: '77' });
    expect(c.aws.credentials).to.deep.equal({
      kind: 'oidc',
      roleArn: role,
      webIdentityToken: 'eyJ.jwt.sig',
      sessionName: 'ecs-deploy-notifier-77',
    });
    expect(problemsOf({ ...base, AWS_OIDC_ROLE_ARN: 'deploy-role', BITBUCKET_STEP_OIDC_TOKEN: 'x' })[0]).to.match(/^AWS_OIDC_ROLE_ARN must be an IAM role ARN/);
  });

  it('says which credentials win when OIDC and static keys are both given: the OIDC role', () => {
    const c = loadConfig({
      ...validEnv(),
      AWS_OIDC_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy-notifier',
      BITBUCKET_STEP_OIDC_TOKEN: 'eyJ.jwt.sig',
    });
    expect(c.aws.credentials.kind).to.equal('oidc');
    expect(c.warnings).to.deep.equal([
      "AWS_OIDC_ROLE_ARN and AWS_ACCESS_KEY_ID are both set: the OIDC role is used (short-lived credentials from the step's token) and the static keys are ignored; remove the one you do not mean",
    ]);
    expect(loadConfig(validEnv()).warnings).to.deep.equal([]);
  });

  it('chooses the role and the region per environment (one AWS account each), as channels are', () => {
    const base = validEnv();
    delete (base as Record<string, string>).AWS_ACCESS_KEY_ID;
    delete (base as Record<string, string>).AWS_SECRET_ACCESS_KEY;
    const PROD = 'arn:aws:iam::111111111111:role/ecs-deploy-notifier';
    const NONPROD = 'arn:aws:iam::222222222222:role/ecs-deploy-notifier';
    const env = {
      ...base,
      BITBUCKET_STEP_OIDC_TOKEN: 'eyJ.jwt.sig',
      AWS_OIDC_ROLE_ARNS: `production=${PROD},*=${NONPROD}`,
      AWS_REGIONS: 'production=eu-west-1,staging*=eu-central-1',
    };
    const prod = loadConfig({ ...env, ENVIRONMENT: 'production' });
    expect(prod.aws.credentials).to.include({ kind: 'oidc', roleArn: PROD });
    expect(prod.aws.region).to.equal('eu-west-1');
    const staging = loadConfig({ ...env, ENVIRONMENT: 'staging-2' });
    expect(staging.aws.credentials).to.include({ kind: 'oidc', roleArn: NONPROD });
    expect(staging.aws.region).to.equal('eu-central-1');
    // No rule and nothing to fall back on: an error naming both, never other credentials or a guessed region.
    const unmatched: Record<string, string> = { ...env, AWS_OIDC_ROLE_ARNS: `production=${PROD}`, ENVIRONMENT: 'dev' };
    delete unmatched.AWS_DEFAULT_REGION;
    expect(problemsOf(unmatched)).to.include.members([
      'AWS_REGIONS has no rule for ENVIRONMENT "dev" and AWS_DEFAULT_REGION is not set: add a rule for it (or a * rule).',
      'AWS_OIDC_ROLE_ARNS has no rule for ENVIRONMENT "dev" and AWS_OIDC_ROLE_ARN is not set: add a rule for it (or a * rule).',
    ]);
    // Falls back to AWS_OIDC_ROLE_ARN and AWS_DEFAULT_REGION when given.
    const fallback = loadConfig({ ...env, AWS_OIDC_ROLE_ARNS: `production=${PROD}`, AWS_OIDC_ROLE_ARN: NONPROD, ENVIRONMENT: 'dev' });
    expect(fallback.aws.credentials).to.include({ roleArn: NONPROD });
    expect(fallback.aws.region).to.equal('eu-west-1');
    expect(problemsOf({ ...env, AWS_OIDC_ROLE_ARNS: 'production=deploy-role' })[0]).to.match(/^AWS_OIDC_ROLE_ARNS must be pattern=role ARN pairs/);
  });

  it('requires both static keys together', () => {
    const env = validEnv();
    delete (env as Record<string, string>).AWS_SECRET_ACCESS_KEY;
    expect(problemsOf(env)).to.deep.equal(['AWS_SECRET_ACCESS_KEY is required with AWS_ACCESS_KEY_ID.']);
  });

  it('validates numbers, booleans and the Slack API URL', () => {
    const problems = problemsOf({
      ...validEnv(),
      WAIT_TIMEOUT: 'soon',
      POLL_INTERVAL: '0',
      DEBUG: 'maybe',
      SLACK_API_URL: 'http://evil.example.com/api',
    }).join('\n');
    expect(problems).to.match(/WAIT_TIMEOUT must be a whole number/);
    expect(problems).to.match(/POLL_INTERVAL must be between 1 and 300/);
    expect(problems).to.match(/DEBUG must be true or false/);
    expect(problems).to.match(/SLACK_API_URL must use https/);
    expect(loadConfig({ ...validEnv(), SLACK_API_URL: 'http://127.0.0.1:8080/api' }).slack.apiUrl).to.equal('http://127.0.0.1:8080/api/');
  });

  it('routes the environment to its channel with SLACK_CHANNELS, first match wins', () => {
    const env = { ...validEnv(), SLACK_CHANNELS: 'production=#deploys-prod, staging*=C0123456789, *=#deploys-other' };
    expect(loadConfig(env).slack.channel).to.equal('#deploys-prod');
    expect(loadConfig({ ...env, ENVIRONMENT: 'staging-eu' }).slack.channel).to.equal('C0123456789');
    expect(loadConfig({ ...env, ENVIRONMENT: 'dev' }).slack.channel).to.equal('#deploys-other');
    expect(loadConfig({ ...validEnv(), SLACK_CHANNELS: 'production=#p', ENVIRONMENT: 'dev' }).slack.channel).to.equal('#deploys');
    expect(problemsOf({ ...validEnv(), SLACK_CHANNELS: 'production:#p' })[0]).to.match(/^SLACK_CHANNELS must be pattern=channel/);
  });

  it('warns when a production-looking environment matches no rule and falls back to the default channel, naming the rule it nearly matched', () => {
    const rules = { ...validEnv(), SLACK_CHANNELS: 'prod=#deploys-prod,staging*=#deploys-staging' };
    expect(loadConfig({ ...rules, ENVIRONMENT: 'production' }).warnings).to.deep.equal([
      'ENVIRONMENT "production" looks like production but matches no SLACK_CHANNELS rule: its messages go to the default SLACK_CHANNEL #deploys; the rule "prod" nearly matched it ("prod*" would)',
    ]);
    expect(loadConfig({ ...rules, ENVIRONMENT: 'eu-live' }).warnings[0]).to.match(/^ENVIRONMENT "eu-live" looks like production .*; add a rule for it/);
    // Matched, not production-looking, or no rules at all (one channel is the intent): nothing to say.
    expect(loadConfig({ ...rules, ENVIRONMENT: 'prod' }).warnings).to.deep.equal([]);
    expect(loadConfig({ ...rules, ENVIRONMENT: 'dev' }).warnings).to.deep.equal([]);
    expect(loadConfig({ ...rules, ENVIRONMENT: 'product-demo' }).warnings).to.deep.equal([]);
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'production' }).warnings).to.deep.equal([]);
  });

  it('matches channel globs literally apart from *', () => {
    expect(valueFor('prod.eu', [{ pattern: 'prod.eu', value: '#a' }], '#d')).to.equal('#a');
    expect(valueFor('prodXeu', [{ pattern: 'prod.eu', value: '#a' }], '#d')).to.equal('#d');
    expect(valueFor('Production', [{ pattern: 'prod*', value: '#a' }], '#d')).to.equal('#a');
  });

  it('reads who deployed and the deploy pipeline, as the deploy step passes them; names a malformed one', () => {
    const env = { ...validEnv(), BITBUCKET_REPO_FULL_NAME: 'acme/shop-api', BITBUCKET_BUILD_NUMBER: '412' };
    const c = loadConfig({ ...env, DEPLOYED_BY: '{5f2d7c61-3a9e-4b8f-9c1d-2e6a7b8c9d0e}', DEPLOY_BUILD_NUMBER: '411' });
    expect(c.deploy).to.deep.equal({
      by: '{5f2d7c61-3a9e-4b8f-9c1d-2e6a7b8c9d0e}',
      buildUrl: 'https://bitbucket.org/acme/shop-api/pipelines/results/411',
    });
    expect(c.buildUrl).to.equal('https://bitbucket.org/acme/shop-api/pipelines/results/412');
    expect(loadConfig(env).deploy).to.deep.equal({});
    expect(problemsOf({ ...env, DEPLOYED_BY: 'jane' })[0]).to.match(/^DEPLOYED_BY must be a Bitbucket UUID in braces/);
    expect(problemsOf({ ...env, DEPLOY_BUILD_NUMBER: '#411' })[0]).to.match(/^DEPLOY_BUILD_NUMBER must be a pipeline build number/);
  });

  it('MESSAGE_FORM: auto keeps the card for production-looking environments, one line for the others; full and compact for all', () => {
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'production' }).compact).to.equal(false);
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'eu-prod' }).compact).to.equal(false);
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'staging' }).compact).to.equal(true);
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'staging', MESSAGE_FORM: 'Full' }).compact).to.equal(false);
    expect(loadConfig({ ...validEnv(), ENVIRONMENT: 'production', MESSAGE_FORM: 'compact' }).compact).to.equal(true);
    expect(problemsOf({ ...validEnv(), MESSAGE_FORM: 'short' })[0]).to.match(/^MESSAGE_FORM must be auto, full or compact, not "short"/);
  });

  it('VERIFY and its thresholds: defaults that do not cry wolf, every bad value named', () => {
    expect(loadConfig(validEnv()).verify).to.deep.equal({ mode: 'fail', afterLiveMs: 0, minRequests: 300, max5xxIncrease: 1, maxLatencyIncrease: 50 });
    const set = loadConfig({ ...validEnv(), VERIFY: 'Warn', VERIFY_MINUTES: '5', VERIFY_MAX_5XX_INCREASE: '0.5' }).verify;
    expect(set).to.include({ mode: 'warn', afterLiveMs: 300_000, max5xxIncrease: 0.5 });
    const problems = problemsOf({ ...validEnv(), VERIFY: 'yes', VERIFY_MIN_REQUESTS: '0', VERIFY_MAX_5XX_INCREASE: '1,5', VERIFY_MINUTES: '61' }).join('\n');
    expect(problems).to.match(/VERIFY must be fail, warn or off, not "yes"/);
    expect(problems).to.match(/VERIFY_MIN_REQUESTS must be between 1 and 1000000 requests, not 0/);
    expect(problems).to.match(/VERIFY_MAX_5XX_INCREASE must be a number of percentage points such as 0\.5 or 2, not "1,5"/);
    expect(problems).to.match(/VERIFY_MINUTES must be between 0 and 60 minutes, not 61/);
  });

  it('VERIFY_URL: expects the commit by default, a JSON path when given; shown without credentials or query; a bad one never echoed', () => {
    const c = loadConfig({ ...validEnv(), COMMIT: '9F2C1E7AA55B', VERIFY_URL: 'https://probe:pa55@shop.example.com/version?token=abc' });
    expect(c.verifyUrl).to.deep.equal({
      url: 'https://probe:pa55@shop.example.com/version?token=abc',
      shown: 'https://shop.example.com/version',
      expect: { kind: 'text', text: '9f2c1e7' },
    });
    expect(loadConfig({ ...validEnv(), VERIFY_URL: 'https://shop.example.com/v', VERIFY_EXPECT: '$.build.commit=9f2c1e7' }).verifyUrl?.expect).to.deep.include({
      kind: 'json',
      value: '9f2c1e7',
    });
    const env = validEnv();
    delete env.BITBUCKET_COMMIT;
    expect(problemsOf({ ...env, VERIFY_URL: 'https://shop.example.com/v' })).to.include(
      'VERIFY_EXPECT is required with VERIFY_URL when no COMMIT is known: what the answer must contain (a text, or $.json.path=value).',
    );
    const bad = problemsOf({ ...validEnv(), VERIFY_URL: 'shop.example.com/x?token=s3cret' }).join('\n');
    expect(bad).to.match(/VERIFY_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(bad).not.to.include('s3cret');
  });

  it('accepts only Slack user or group IDs as mentions', () => {
    expect(loadConfig({ ...validEnv(), SLACK_MENTION_ON_FAILURE: 'U012AB3CD,S0614TZR7' }).slack.mentionOnFailure).to.deep.equal(['U012AB3CD', 'S0614TZR7']);
    expect(problemsOf({ ...validEnv(), SLACK_MENTION_ON_FAILURE: '@channel' })[0]).to.match(/^SLACK_MENTION_ON_FAILURE/);
  });

  it('links the repository and the pipeline run when Bitbucket says which they are', () => {
    const c = loadConfig({ ...validEnv(), BITBUCKET_REPO_FULL_NAME: 'acme/shop-api', BITBUCKET_BUILD_NUMBER: '412' });
    expect(c.repository).to.deep.equal({ fullName: 'acme/shop-api', url: 'https://bitbucket.org/acme/shop-api' });
    expect(c.buildUrl).to.equal('https://bitbucket.org/acme/shop-api/pipelines/results/412');
  });

  it('refuses more services than one run watches, in either list form, without building the list', () => {
    const many = Array.from({ length: MAX_SERVICES + 1 }, (_, i) => `svc-${i}`).join(',');
    expect(problemsOf({ ...validEnv(), SERVICE_NAME: many })[0]).to.match(
      new RegExp(`^SERVICE_NAME names ${MAX_SERVICES + 1} services; one run watches at most ${MAX_SERVICES}`),
    );
    const listForm = { ...validEnv(), SERVICE_NAME_COUNT: '1000000000' };
    delete (listForm as Record<string, string>).SERVICE_NAME;
    expect(problemsOf(listForm)).to.deep.equal([
      `SERVICE_NAME_COUNT is 1000000000: a list variable may have at most ${MAX_SERVICES} items (one run watches at most ${MAX_SERVICES} services).`,
    ]);
  });

  it('quotes a huge bad value cut short, with its length', () => {
    const huge = `x${'y'.repeat(100_000)}!`;
    const [problem] = problemsOf({ ...validEnv(), CLUSTER_NAME: huge });
    expect(problem?.length).to.be.below(300);
    expect(problem).to.match(/not "xyyy+…" \(100002 characters\)$/);
  });

  it('treats line separators and bidirectional overrides as control characters, and spells them out', () => {
    for (const c of ['\u0085', '\u2028', '\u2029', '\u202e', '\u2066', '\u2069']) {
      const [problem] = problemsOf({ ...validEnv(), ENVIRONMENT: `prod${c}uction` });
      expect(problem, JSON.stringify(c)).to.equal('ENVIRONMENT must be an environment name without control characters');
      const [cluster] = problemsOf({ ...validEnv(), CLUSTER_NAME: `pr${c}od` });
      expect(cluster).not.to.include(c);
      expect(cluster).to.include(`\\u${c.codePointAt(0)?.toString(16).padStart(4, '0')}`);
    }
  });

  it('watches the same service once, named by name and by ARN', () => {
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/api';
    expect(loadConfig({ ...validEnv(), SERVICE_NAME: `api,${arn},api` }).services).to.deep.equal(['api']);
    const c = loadConfig({ ...validEnv(), SERVICE_NAME: `api,worker,${arn}`, TASK_DEFINITION: 'api:7,worker:3,api:7' });
    expect(c.services).to.deep.equal(['api', 'worker']);
    expect(c.taskDefinitions).to.deep.equal([
      { family: 'api', revision: 7 },
      { family: 'worker', revision: 3 },
    ]);
    expect(problemsOf({ ...validEnv(), SERVICE_NAME: `api,${arn}`, TASK_DEFINITION: 'api:7,api:8' })[0]).to.match(
      /^SERVICE_NAME names service api twice .* different TASK_DEFINITION entries \(api:7 and api:8\)/,
    );
  });

  it('trims secrets once: the credentials used are the trimmed values', () => {
    const c = loadConfig({
      ...validEnv(),
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY\n',
      AWS_SESSION_TOKEN: ' token-value\n',
      SLACK_TOKEN: 'xoxb-1111-2222-SECRETSECRET\r\n',
    });
    expect(c.aws.credentials).to.deep.include({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY', sessionToken: 'token-value' });
    expect(c.slack.token).to.equal('xoxb-1111-2222-SECRETSECRET');
  });
});
