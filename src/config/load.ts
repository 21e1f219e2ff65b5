// Reads the pipe variables once, validates all of them, and returns a typed configuration.
// Every problem is collected (not just the first) so a user fixes their YAML in one go; no
// message ever contains the value of a secret.
import { cleanEnv, EnvMissingError } from 'envalid';
import { parseExpectation } from '../core/url-check.ts';
import { MS_PER_MINUTE, MS_PER_SECOND, SHORT_COMMIT, type TaskDefinitionRef } from '../core/vocabulary.ts';
import { ConfigError } from '../errors.ts';
import type { Config, Credentials, DefaultSource, EnvironmentRule } from './settings.ts';
import { MAX_SERVICES, serviceKey, shown } from './validators.ts';
import { VARIABLE_SPECS } from './variables.ts';

type Env = Record<string, string | undefined>;

/**
 * Bitbucket passes a YAML list variable `NAME: [a, b]` as NAME_COUNT=2, NAME_0=a, NAME_1=b.
 * Fold that form into the comma-separated one so one validator handles both.
 */
function foldListVariable(env: Env, name: string, problems: string[]): string | undefined {
  const count = env[`${name}_COUNT`];
  if (count === undefined) return env[name];
  const n = Number(count);
  if (!Number.isInteger(n) || n < 0) return env[name];
  if (n > MAX_SERVICES) {
    problems.push(`${name}_COUNT is ${n}: a list variable may have at most ${MAX_SERVICES} items (one run watches at most ${MAX_SERVICES} services).`);
    return undefined;
  }
  const items = Array.from({ length: n }, (_, i) => env[`${name}_${i}`]?.trim() ?? '');
  return items.join(',');
}

/**
 * The same service named twice (by name and by ARN, or twice alike) is watched once. Its task
 * definitions must then agree; `problems` says so when they do not.
 */
function distinctServices(
  services: string[],
  taskDefinitions: TaskDefinitionRef[] | undefined,
  problems: string[],
): { services: string[]; taskDefinitions: TaskDefinitionRef[] | undefined } {
  const seen = new Map<string, number>();
  const keep: number[] = [];
  services.forEach((s, i) => {
    const first = seen.get(serviceKey(s));
    if (first === undefined) {
      seen.set(serviceKey(s), i);
      keep.push(i);
      return;
    }
    const a = taskDefinitions?.[first];
    const b = taskDefinitions?.[i];
    if (a && b && (a.family !== b.family || a.revision !== b.revision)) {
      problems.push(
        `SERVICE_NAME names service ${serviceKey(s)} twice (${shown(services[first] ?? '')} and ${shown(s)}) with different TASK_DEFINITION entries (${a.family}:${a.revision} and ${b.family}:${b.revision}).`,
      );
    }
  });
  return {
    services: keep.map((i) => services[i] ?? ''),
    taskDefinitions: taskDefinitions && keep.map((i) => taskDefinitions[i]).filter((t): t is TaskDefinitionRef => t !== undefined),
  };
}

/**
 * The value of the first rule whose pattern matches the environment, else `fallback`. Globs in
 * SLACK_CHANNELS, AWS_OIDC_ROLE_ARNS and AWS_REGIONS: `*` matches anything, everything else is
 * literal; case-insensitive.
 */
export function valueFor(environment: string, rules: EnvironmentRule[], fallback: string): string;
export function valueFor(environment: string, rules: EnvironmentRule[], fallback?: string): string | undefined;
export function valueFor(environment: string, rules: EnvironmentRule[], fallback?: string): string | undefined {
  return ruleFor(environment, rules)?.value ?? fallback;
}

function ruleFor(environment: string, rules: EnvironmentRule[]): EnvironmentRule | undefined {
  return rules.find(({ pattern }) => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i').test(environment));
}

/** An environment name that reads as production: one of these words in it, on its own. */
const PRODUCTION_WORD = /(^|[^a-z])(prod|prd|production|live)([^a-z]|$)/i;
/** A rule nearly matches when its pattern and the environment begin alike for at least this many characters. */
const NEARLY_MATCHING_PREFIX = 3;

/**
 * A production-looking environment that no SLACK_CHANNELS rule matches goes to the default
 * channel without a word: the day it matters, its messages are where nobody looks. Said instead,
 * naming the rule it nearly matched. Not said without rules (one channel is then the intent).
 */
export function channelFallbackWarning(environment: string, rules: EnvironmentRule[], fallback: string): string | undefined {
  if (!rules.length || ruleFor(environment, rules) || !PRODUCTION_WORD.test(environment)) return undefined;
  const env = environment.toLowerCase();
  const shared = (pattern: string) => {
    const p = pattern.toLowerCase().replaceAll('*', '');
    let n = 0;
    while (n < p.length && n < env.length && p[n] === env[n]) n++;
    return n;
  };
  const nearest = [...rules].sort((a, b) => shared(b.pattern) - shared(a.pattern))[0];
  const near =
    nearest && shared(nearest.pattern) >= NEARLY_MATCHING_PREFIX
      ? `; the rule "${nearest.pattern}" nearly matched it${env.startsWith(nearest.pattern.toLowerCase()) ? ` ("${nearest.pattern}*" would)` : ''}`
      : '; add a rule for it if that is not the channel you mean';
  return `ENVIRONMENT "${environment}" looks like production but matches no SLACK_CHANNELS rule: its messages go to the default SLACK_CHANNEL ${fallback}${near}`;
}

/** MESSAGE_FORM for this environment: `auto` keeps the full card for production-looking names only. */
export function compactFor(form: 'auto' | 'full' | 'compact', environment: string): boolean {
  return form === 'compact' || (form === 'auto' && !PRODUCTION_WORD.test(environment));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function loadConfig(rawEnv: Env): Config {
  // Bitbucket passes unset variables in `variables:` as empty strings: treat them as absent. Values
  // are trimmed here once, and only these trimmed values are used from here on (a secret pasted
  // with a trailing newline would otherwise reach an HTTP header).
  const env: Env = {};
  for (const [k, v] of Object.entries(rawEnv)) if (v !== undefined && v.trim() !== '') env[k] = v.trim();
  const problems: string[] = [];
  const listTooLong = new Set<string>();
  for (const name of ['SERVICE_NAME', 'TASK_DEFINITION', 'SLACK_MENTION_ON_FAILURE', 'APPROVERS']) {
    const folded = foldListVariable(env, name, problems);
    if (folded !== undefined && folded !== '') env[name] = folded;
    else if (problems.some((p) => p.startsWith(`${name}_COUNT`))) {
      env[name] = undefined;
      listTooLong.add(name);
    }
  }
  env.BRANCH ??= env.BITBUCKET_BRANCH;
  env.TAG ??= env.BITBUCKET_TAG;
  env.COMMIT ??= env.BITBUCKET_COMMIT;
  // As Node and curl do, the lower-case spelling wins where both are set.
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) env[name] = env[name.toLowerCase()] ?? env[name];

  const checked = cleanEnv(env, VARIABLE_SPECS, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        if (!error || listTooLong.has(name)) continue;
        const desc = Object.entries(VARIABLE_SPECS).find(([key]) => key === name)?.[1].desc ?? '';
        problems.push(error instanceof EnvMissingError ? `${name} is required: ${desc}`.trim() : `${name} ${error.message}`);
      }
    },
  });
  // envalid's result throws on reading a variable that failed validation; we keep going to
  // report every cross-variable problem too, so read it through a copy of the valid ones.
  const clean: Partial<typeof checked> = { ...checked };
  // Per environment (one AWS account and region per environment), else the one for all.
  const environmentName = clean.ENVIRONMENT ?? '';
  const region = valueFor(environmentName, clean.AWS_REGIONS ?? [], clean.AWS_DEFAULT_REGION ?? clean.AWS_REGION);
  if (!region && !env.AWS_DEFAULT_REGION && !env.AWS_REGION) {
    problems.push(
      env.AWS_REGIONS
        ? `AWS_REGIONS has no rule for ENVIRONMENT "${environmentName}" and AWS_DEFAULT_REGION is not set: add a rule for it (or a * rule).`
        : 'AWS_DEFAULT_REGION is required: the AWS region of the cluster (AWS_REGION is accepted too).',
    );
  }
  const role = valueFor(environmentName, clean.AWS_OIDC_ROLE_ARNS ?? [], clean.AWS_OIDC_ROLE_ARN);
  if (env.AWS_OIDC_ROLE_ARNS && clean.AWS_OIDC_ROLE_ARNS && !role && !env.AWS_OIDC_ROLE_ARN) {
    // Falling back to other credentials here would watch another account without a word.
    problems.push(`AWS_OIDC_ROLE_ARNS has no rule for ENVIRONMENT "${environmentName}" and AWS_OIDC_ROLE_ARN is not set: add a rule for it (or a * rule).`);
  }

  const named = clean.SERVICE_NAME ?? [];
  const requested = clean.TASK_DEFINITION;
  if (requested && named.length && requested.length !== named.length) {
    problems.push(
      `TASK_DEFINITION names ${requested.length} task definition(s) for ${named.length} service(s) in SERVICE_NAME: give one per service, in the same order.`,
    );
  }
  const { services, taskDefinitions } = distinctServices(named, requested?.length === named.length ? requested : undefined, problems);

  const credentials = resolveCredentials(env, { ...clean, AWS_OIDC_ROLE_ARN: role }, problems);
  const warnings: string[] = [];
  if (role && env.AWS_ACCESS_KEY_ID) {
    warnings.push(
      "AWS_OIDC_ROLE_ARN and AWS_ACCESS_KEY_ID are both set: the OIDC role is used (short-lived credentials from the step's token) and the static keys are ignored; remove the one you do not mean",
    );
  }

  const tag = clean.TAG;
  const branch = clean.BRANCH;
  if (!tag && !branch && !env.TAG && !env.BRANCH) {
    problems.push('BRANCH or TAG is required: name what was deployed (BITBUCKET_BRANCH and BITBUCKET_TAG are not set either).');
  }

  const expect =
    clean.VERIFY_EXPECT !== undefined
      ? parseExpectation(clean.VERIFY_EXPECT)
      : clean.COMMIT
        ? parseExpectation(clean.COMMIT.slice(0, SHORT_COMMIT))
        : undefined;
  if (clean.VERIFY_URL && !expect && !env.VERIFY_EXPECT) {
    problems.push('VERIFY_EXPECT is required with VERIFY_URL when no COMMIT is known: what the answer must contain (a text, or $.json.path=value).');
  }

  if (problems.length) throw new ConfigError(problems);

  // Every value below was validated (or has a default) when no problem was found.
  const environment = valid(clean.ENVIRONMENT, 'ENVIRONMENT');
  const fallback = channelFallbackWarning(environment, clean.SLACK_CHANNELS ?? [], valid(clean.SLACK_CHANNEL, 'SLACK_CHANNEL'));
  if (fallback) warnings.push(fallback);
  const ref = tag ? { type: 'tag' as const, name: tag } : { type: 'branch' as const, name: valid(branch, 'BRANCH') };
  return {
    cluster: valid(clean.CLUSTER_NAME, 'CLUSTER_NAME'),
    services,
    taskDefinitions,
    environment,
    ref,
    commit: clean.COMMIT,
    repository: repositoryFrom(env),
    buildUrl: buildUrlFrom(env, env.BITBUCKET_BUILD_NUMBER),
    deploy: {
      ...(clean.DEPLOYED_BY ? { by: clean.DEPLOYED_BY } : {}),
      ...(clean.DEPLOY_BUILD_NUMBER ? { buildUrl: buildUrlFrom(env, clean.DEPLOY_BUILD_NUMBER) } : {}),
    },
    bitbucketProxy: valid(clean.BITBUCKET_API_PROXY, 'BITBUCKET_API_PROXY'),
    slack: {
      token: valid(clean.SLACK_TOKEN, 'SLACK_TOKEN'),
      channel: valueFor(environment, clean.SLACK_CHANNELS ?? [], valid(clean.SLACK_CHANNEL, 'SLACK_CHANNEL')),
      apiUrl: valid(clean.SLACK_API_URL, 'SLACK_API_URL'),
      mentionOnFailure: clean.SLACK_MENTION_ON_FAILURE ?? [],
    },
    aws: { region: valid(region, 'AWS_DEFAULT_REGION'), credentials: valid(credentials, 'AWS credentials') },
    waitTimeoutMs: valid(clean.WAIT_TIMEOUT, 'WAIT_TIMEOUT') * MS_PER_SECOND,
    pollIntervalMs: valid(clean.POLL_INTERVAL, 'POLL_INTERVAL') * MS_PER_SECOND,
    deploymentGraceMs: valid(clean.DEPLOYMENT_GRACE_PERIOD, 'DEPLOYMENT_GRACE_PERIOD') * MS_PER_SECOND,
    crashLoopLimit: clean.CRASH_LOOP_LIMIT,
    waitUntil: valid(clean.WAIT_UNTIL, 'WAIT_UNTIL'),
    verify: {
      mode: valid(clean.VERIFY, 'VERIFY'),
      afterLiveMs: valid(clean.VERIFY_MINUTES, 'VERIFY_MINUTES') * MS_PER_MINUTE,
      minRequests: valid(clean.VERIFY_MIN_REQUESTS, 'VERIFY_MIN_REQUESTS'),
      max5xxIncrease: valid(clean.VERIFY_MAX_5XX_INCREASE, 'VERIFY_MAX_5XX_INCREASE'),
      maxLatencyIncrease: valid(clean.VERIFY_MAX_LATENCY_INCREASE, 'VERIFY_MAX_LATENCY_INCREASE'),
    },
    ...(clean.VERIFY_URL && expect ? { verifyUrl: { url: clean.VERIFY_URL, shown: shownUrl(clean.VERIFY_URL), expect } } : {}),
    compact: compactFor(valid(clean.MESSAGE_FORM, 'MESSAGE_FORM'), environment),
    logLines: valid(clean.LOG_LINES, 'LOG_LINES'),
    debug: valid(clean.DEBUG, 'DEBUG'),
    approvers: clean.APPROVERS ?? [],
    checkOnly: valid(clean.CHECK_ONLY, 'CHECK_ONLY'),
    warnings,
    ...codeInsightsOf(env, clean.CODE_INSIGHTS, clean.BITBUCKET_API_PROXY, clean.COMMIT, environment),
    proxy: {
      ...(clean.HTTP_PROXY ? { HTTP_PROXY: clean.HTTP_PROXY } : {}),
      ...(clean.HTTPS_PROXY ? { HTTPS_PROXY: clean.HTTPS_PROXY } : {}),
      ...(clean.NO_PROXY ? { NO_PROXY: clean.NO_PROXY } : {}),
    },
  };
}

/** A URL as it may be shown: its origin and path, without a user, password, query or fragment (they may hold credentials). */
export function shownUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** A value validation vouched for; a missing one here is a bug in this file, reported as such. */
function valid<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new ConfigError([`${name} could not be read (please report this as a bug)`]);
  return value;
}

function resolveCredentials(
  env: Env,
  clean: {
    AWS_ACCESS_KEY_ID?: string;
    AWS_SECRET_ACCESS_KEY?: string;
    AWS_SESSION_TOKEN?: string;
    AWS_OIDC_ROLE_ARN?: string;
    BITBUCKET_STEP_OIDC_TOKEN?: string;
  },
  problems: string[],
): Credentials | undefined {
  if (env.AWS_OIDC_ROLE_ARN || clean.AWS_OIDC_ROLE_ARN) {
    if (!env.BITBUCKET_STEP_OIDC_TOKEN) {
      problems.push(
        'BITBUCKET_STEP_OIDC_TOKEN is missing while AWS_OIDC_ROLE_ARN (or AWS_OIDC_ROLE_ARNS) is set: add "oidc: true" to the step that runs the pipe.',
      );
      return undefined;
    }
    if (!clean.AWS_OIDC_ROLE_ARN || !clean.BITBUCKET_STEP_OIDC_TOKEN) return undefined;
    const build = env.BITBUCKET_BUILD_NUMBER ?? 'local';
    return {
      kind: 'oidc',
      roleArn: clean.AWS_OIDC_ROLE_ARN,
      webIdentityToken: clean.BITBUCKET_STEP_OIDC_TOKEN,
      sessionName: `ecs-deploy-notifier-${build}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
    };
  }
  const hasId = Boolean(env.AWS_ACCESS_KEY_ID);
  const hasSecret = Boolean(env.AWS_SECRET_ACCESS_KEY);
  if (hasId && !hasSecret) problems.push('AWS_SECRET_ACCESS_KEY is required with AWS_ACCESS_KEY_ID.');
  if (hasSecret && !hasId) problems.push('AWS_ACCESS_KEY_ID is required with AWS_SECRET_ACCESS_KEY.');
  // Neither: the runner's own credentials, through the SDK's default provider chain.
  if (!hasId && !hasSecret) return { kind: 'default', expected: defaultSourceOf(env) };
  if (!clean.AWS_ACCESS_KEY_ID || !clean.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    kind: 'static',
    accessKeyId: clean.AWS_ACCESS_KEY_ID,
    secretAccessKey: clean.AWS_SECRET_ACCESS_KEY,
    ...(clean.AWS_SESSION_TOKEN ? { sessionToken: clean.AWS_SESSION_TOKEN } : {}),
  };
}

/** A Code Insights report needs a pipeline (a build number), a repository and a commit, and is on unless CODE_INSIGHTS is false. */
function codeInsightsOf(
  env: Env,
  on: boolean | undefined,
  proxy: string | undefined,
  commit: string | undefined,
  environment: string,
): Pick<Config, 'codeInsights'> {
  const repository = repositoryFrom(env)?.fullName;
  if (on === false || !env.BITBUCKET_BUILD_NUMBER || !repository || !commit || !proxy) return {};
  return { codeInsights: { proxy, repository, commit, environment } };
}

/** Where the SDK's default chain will look first, from the variables it reads (in its order). */
function defaultSourceOf(env: Env): DefaultSource {
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'web identity token file';
  if (env.AWS_PROFILE) return 'shared config profile';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return 'container credentials';
  return 'instance profile';
}

function repositoryFrom(env: Env): Config['repository'] {
  const fullName =
    env.BITBUCKET_REPO_FULL_NAME ?? (env.BITBUCKET_WORKSPACE && env.BITBUCKET_REPO_SLUG ? `${env.BITBUCKET_WORKSPACE}/${env.BITBUCKET_REPO_SLUG}` : undefined);
  if (!fullName || !/^[\w.-]+\/[\w.-]+$/.test(fullName)) return undefined;
  return { fullName, url: `https://bitbucket.org/${fullName}` };
}

/** A pipeline run of this repository, by its build number. */
function buildUrlFrom(env: Env, build: string | undefined): string | undefined {
  const repo = repositoryFrom(env);
  if (!repo || !build || !/^\d+$/.test(build)) return undefined;
  return `${repo.url}/pipelines/results/${build}`;
}
