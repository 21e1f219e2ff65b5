// Reads the pipe variables once, validates all of them, and returns a typed configuration.
// Every problem is collected (not just the first) so a user fixes their YAML in one go; no
// message ever contains the value of a secret.
import { cleanEnv, EnvMissingError, makeValidator, type ValidatorSpec } from 'envalid';
import { ConfigError } from './errors.ts';
import type { WaitUntil } from './step.ts';
import { parseTaskDefinitionRef, type TaskDefinitionRef } from './task-definition.ts';

export type Credentials =
  | { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'oidc'; roleArn: string; webIdentityToken: string; sessionName: string };

export interface ChannelRule {
  pattern: string;
  channel: string;
}

export interface Config {
  cluster: string;
  services: string[];
  /** Same order as `services`; undefined: watch each service's PRIMARY deployment at start. */
  taskDefinitions: TaskDefinitionRef[] | undefined;
  environment: string;
  ref: { type: 'branch' | 'tag'; name: string };
  commit: string | undefined;
  repository: { fullName: string; url: string } | undefined;
  buildUrl: string | undefined;
  slack: {
    token: string;
    /** The channel for this environment, after SLACK_CHANNELS routing. */
    channel: string;
    apiUrl: string;
    mentionOnFailure: string[];
  };
  aws: { region: string; credentials: Credentials };
  waitTimeoutMs: number;
  pollIntervalMs: number;
  deploymentGraceMs: number;
  /** Fail after this many same stops of new tasks, before ECS decides; undefined: wait for ECS. */
  crashLoopLimit: number | undefined;
  /** WAIT_UNTIL. */
  waitUntil: WaitUntil;
  /** LOG_LINES: 0 shows no container logs. */
  logLines: number;
  debug: boolean;
  /** Where requests to AWS and Slack go through, in the shape Node's agents read (`proxyEnv`). */
  proxy: { HTTP_PROXY?: string; HTTPS_PROXY?: string; NO_PROXY?: string };
}

/** Variables whose values must never be printed. */
export const SECRET_VARIABLES = ['SLACK_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'BITBUCKET_STEP_OIDC_TOKEN'];

/** Variables that may hold a password (a proxy's `user:password@`): the password is masked. */
export const URL_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** The passwords in proxy URLs, raw and decoded, for the masker. */
export function urlPasswords(env: Record<string, string | undefined>): string[] {
  return URL_VARIABLES.flatMap((name) => {
    try {
      const password = new URL(env[name]?.trim() ?? '').password;
      return password ? [password, decodeURIComponent(password)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The most services one run watches. A poll then takes 15 DescribeServices calls, and one message
 * still shows every failed service (the rest are counted); beyond it, split the run.
 */
export const MAX_SERVICES = 150;
/** How much of a bad value an error message quotes. */
const SHOWN_CHARS = 80;

// C0 and C1 controls, line and paragraph separators, and bidirectional overrides and isolates
// (which can make a name read as another in the Slack message).
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A bad value as an error message quotes it: control characters spelled out and cut short, so nothing hides in it. */
export function shown(value: string): string {
  const cut = value.length > SHOWN_CHARS ? value.slice(0, SHOWN_CHARS) : value;
  const visible = cut.replace(new RegExp(CONTROL_CHARS.source, 'g'), (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  return value.length > SHOWN_CHARS ? `"${visible}…" (${value.length} characters)` : `"${visible}"`;
}
const RESOURCE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ecsArn = (kind: string) => new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:${kind}/[A-Za-z0-9_/-]{1,512}$`);

function text(what: string, max = 255) {
  return makeValidator<string>((value) => {
    if (value.length > max) throw new Error(`must be ${what} of at most ${max} characters`);
    if (CONTROL_CHARS.test(value)) throw new Error(`must be ${what} without control characters`);
    return value;
  });
}

function integer(min: number, max: number, unit = 'seconds') {
  return makeValidator<number>((value) => {
    if (!/^\d+$/.test(value.trim())) throw new Error(`must be a whole number of ${unit}, not ${shown(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max} ${unit}, not ${n}`);
    return n;
  });
}

const boolean = makeValidator<boolean>((value) => {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(`must be true or false, not ${shown(value)}`);
});

const waitUntil = makeValidator<WaitUntil>((value) => {
  const v = value.trim().toLowerCase();
  if (v === 'live' || v === 'retired') return v;
  throw new Error(`must be live or retired, not ${shown(value)}`);
});

const clusterName = makeValidator<string>((value) => {
  if (RESOURCE_NAME.test(value) || ecsArn('cluster').test(value)) return value;
  throw new Error(`must be an ECS cluster name (letters, digits, - and _) or cluster ARN, not ${shown(value)}`);
});

/** A comma-separated list (Bitbucket's YAML list form is folded into one before validation). */
const serviceList = makeValidator<string[]>((value) => {
  const names = splitList(value);
  if (names.length === 0) throw new Error('must name at least one ECS service');
  if (names.length > MAX_SERVICES) throw new Error(`names ${names.length} services; one run watches at most ${MAX_SERVICES}`);
  const bad = names.filter((n) => !RESOURCE_NAME.test(n) && !ecsArn('service').test(n));
  if (bad.length) throw new Error(`must be ECS service names or ARNs; not valid: ${bad.map(shown).join(', ')}`);
  return names;
});

/** `shop-api` for `shop-api` and for its ARN (`…:service/prod/shop-api` or the old `…:service/shop-api`). */
export function serviceKey(nameOrArn: string): string {
  return nameOrArn.split('/').pop() ?? nameOrArn;
}

const taskDefinitionList = makeValidator<TaskDefinitionRef[]>((value) => {
  const refs = splitList(value);
  const problems: string[] = [];
  const parsed = refs.map((raw) => {
    const ref = parseTaskDefinitionRef(raw);
    if (!ref) problems.push(shown(raw));
    return ref;
  });
  if (problems.length) {
    throw new Error(
      `must be a task definition ARN or family:revision with a numeric revision (e.g. api:42); not valid: ${problems.join(', ')}`,
    );
  }
  return parsed.filter((r): r is TaskDefinitionRef => r !== undefined);
});

const slackToken = makeValidator<string>((value) => {
  // Never echo the value: it is a credential.
  if (!/^(xoxe\.)?xoxb-[A-Za-z0-9-]+$/.test(value)) {
    throw new Error('must be the Bot User OAuth Token of the Slack app (it starts with "xoxb-"); the value given is not one (value not shown)');
  }
  return value;
});

const SLACK_CHANNEL = /^(#?[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$/;
const slackChannel = makeValidator<string>((value) => {
  if (!SLACK_CHANNEL.test(value)) {
    throw new Error(`must be a channel name like #deploys or a channel ID like C0123456789, not ${shown(value)}`);
  }
  return value;
});

const channelRules = makeValidator<ChannelRule[]>((value) => {
  return splitList(value).map((entry) => {
    const m = /^([A-Za-z0-9._*/ -]+)=(.+)$/.exec(entry);
    const pattern = m?.[1]?.trim();
    const channel = m?.[2]?.trim();
    if (!pattern || !channel || !SLACK_CHANNEL.test(channel)) {
      throw new Error(
        `must be pattern=channel pairs separated by commas (e.g. production=#deploys-prod,staging*=#deploys-staging); not valid: ${shown(entry)}`,
      );
    }
    return { pattern, channel };
  });
});

const slackApiUrl = makeValidator<string>((value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`must be a URL like https://slack.com/api/, not ${shown(value)}`);
  }
  // The bot token travels to this host: only HTTPS, except to this machine (tests, local proxies).
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`must use https:// (the bot token is sent to it), not ${shown(`${url.protocol}//${url.host}`)}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('must be a plain base URL without credentials, query or fragment');
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
});

const mentionIds = makeValidator<string[]>((value) => {
  const ids = splitList(value);
  const bad = ids.filter((id) => !/^[UWS][A-Z0-9]{2,}$/.test(id));
  if (bad.length) {
    throw new Error(
      `must be Slack user IDs (U…/W…) or user group IDs (S…), separated by commas; not valid: ${bad.map(shown).join(', ')}`,
    );
  }
  return ids;
});

const region = makeValidator<string>((value) => {
  if (!/^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/.test(value)) throw new Error(`must be an AWS region like eu-west-1, not ${shown(value)}`);
  return value;
});

const accessKeyId = makeValidator<string>((value) => {
  if (!/^[A-Z0-9]{16,128}$/.test(value)) throw new Error('must be an AWS access key ID (16 or more capital letters and digits; value not shown)');
  return value;
});

const secretValue = makeValidator<string>((value) => {
  if (/\s/.test(value)) throw new Error('contains white space; check how the secured variable was pasted (value not shown)');
  return value;
});

const roleArn = makeValidator<string>((value) => {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)) {
    throw new Error(`must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy-notifier, not ${shown(value)}`);
  }
  return value;
});

/** A proxy URL; its password is never shown. */
const proxyUrl = makeValidator<string>((value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be a proxy URL like http://proxy.internal:3128 (value not shown: it may hold a password)');
  }
  if (url.password) url.password = '***';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must be an http:// or https:// proxy URL, not ${shown(url.href)}`);
  if (url.pathname !== '/' || url.search || url.hash) throw new Error(`must be a proxy URL without a path, query or fragment, not ${shown(url.href)}`);
  return value;
});

const noProxyList = makeValidator<string>((value) => {
  const bad = splitList(value).filter((entry) => !/^(\*|\.?[A-Za-z0-9.:[\]_-]+(\/\d{1,3})?)$/.test(entry));
  if (bad.length) throw new Error(`must be host names, domains (.example.com), addresses or * separated by commas; not valid: ${bad.map(shown).join(', ')}`);
  return value;
});

const commitHash = makeValidator<string>((value) => {
  if (!/^[0-9a-f]{7,40}$/i.test(value)) throw new Error(`must be a git commit hash, not ${shown(value)}`);
  return value.toLowerCase();
});

const optional = { default: undefined } as const;

/** The specs of every variable the pipe reads; README.md and pipe.yml document exactly these. */
export const VARIABLE_SPECS = {
  CLUSTER_NAME: clusterName({ desc: 'ECS cluster name or ARN.' }),
  SERVICE_NAME: serviceList({ desc: 'ECS service name(s) or ARN(s): one, several comma-separated, or a YAML list; at most 150.' }),
  TASK_DEFINITION: taskDefinitionList({
    ...optional,
    desc: "Deployed task definition (ARN or family:revision), one per service in the same order. Default: each service's PRIMARY deployment at start.",
  }),
  ENVIRONMENT: text('an environment name', 100)({ desc: 'Deployment environment name, e.g. staging or production.' }),
  BRANCH: text('a branch name')({ ...optional, desc: 'Deployed branch. Default: BITBUCKET_BRANCH.' }),
  TAG: text('a tag name')({ ...optional, desc: 'Deployed tag; wins over the branch. Default: BITBUCKET_TAG.' }),
  COMMIT: commitHash({ ...optional, desc: 'Deployed commit. Default: BITBUCKET_COMMIT.' }),
  SLACK_TOKEN: slackToken({ desc: 'Bot User OAuth Token (xoxb-…) of the custom Slack app. Secret.' }),
  SLACK_CHANNEL: slackChannel({ desc: 'Default Slack channel (#name or ID).' }),
  SLACK_CHANNELS: channelRules({
    ...optional,
    desc: 'Per-environment channels: pattern=channel pairs, comma-separated; pattern is an environment name or a glob with *. First match wins, else SLACK_CHANNEL.',
  }),
  SLACK_API_URL: slackApiUrl({ default: 'https://slack.com/api/', desc: 'Slack Web API base URL (GovSlack, proxies, tests).' }),
  SLACK_MENTION_ON_FAILURE: mentionIds({
    ...optional,
    desc: 'Slack user IDs (U…) or user group IDs (S…) to mention in the thread when the rollout fails or times out.',
  }),
  AWS_DEFAULT_REGION: region({ ...optional, desc: 'AWS region of the cluster (AWS_REGION is accepted too).' }),
  AWS_REGION: region({ ...optional, desc: 'Alternative to AWS_DEFAULT_REGION.' }),
  AWS_ACCESS_KEY_ID: accessKeyId({ ...optional, desc: 'Static credentials: access key ID.' }),
  AWS_SECRET_ACCESS_KEY: secretValue({ ...optional, desc: 'Static credentials: secret access key. Secret.' }),
  AWS_SESSION_TOKEN: secretValue({ ...optional, desc: 'Static credentials: session token of temporary credentials. Secret.' }),
  AWS_OIDC_ROLE_ARN: roleArn({ ...optional, desc: 'IAM role to assume with the step\'s OIDC token (needs "oidc: true" on the step).' }),
  BITBUCKET_STEP_OIDC_TOKEN: secretValue({ ...optional, desc: 'Set by Bitbucket on steps with "oidc: true".' }),
  WAIT_TIMEOUT: integer(1, 86_400)({ default: 1800, desc: 'Seconds to wait for the rollout before reporting a time-out.' }),
  POLL_INTERVAL: integer(1, 300)({ default: 10, desc: 'Seconds between polls of ECS and the load balancer.' }),
  DEPLOYMENT_GRACE_PERIOD: integer(0, 600)({
    default: 60,
    desc: 'Seconds to wait for the deployment of TASK_DEFINITION to appear in the service before reporting it missing.',
  }),
  CRASH_LOOP_LIMIT: integer(2, 1000, 'stops')({
    ...optional,
    desc: "Fail as soon as new tasks have stopped this many times the same way (exit code or reason), without waiting for ECS's circuit breaker. Default: off (wait for ECS or WAIT_TIMEOUT).",
  }),
  LOG_LINES: integer(0, 100, 'lines')({
    default: 20,
    desc: "Last lines of a failed container's awslogs output shown in the failure thread, per distinct failure; 0 turns it off.",
  }),
  WAIT_UNTIL: waitUntil({
    default: 'retired',
    desc: 'retired: follow the rollout until the old version is gone (after a blue/green bake, too); live: end the watch (exit 0) as soon as the new version takes all production traffic.',
  }),
  DEBUG: boolean({ default: false, desc: 'Verbose log (never shows secrets).' }),
  HTTPS_PROXY: proxyUrl({ ...optional, desc: 'Proxy for HTTPS requests (AWS and Slack); https_proxy is accepted too.' }),
  HTTP_PROXY: proxyUrl({ ...optional, desc: 'Proxy for plain HTTP requests (only custom endpoints use http); http_proxy is accepted too.' }),
  NO_PROXY: noProxyList({ ...optional, desc: 'Hosts reached without the proxy, comma-separated; no_proxy is accepted too.' }),
} satisfies Record<string, ValidatorSpec<unknown>>;

type Env = Record<string, string | undefined>;

/** Splits a comma-separated value; Bitbucket list variables were already folded in. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

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

/** Globs in SLACK_CHANNELS: `*` matches anything, everything else is literal; case-insensitive. */
export function channelFor(environment: string, rules: ChannelRule[], fallback: string): string {
  for (const { pattern, channel } of rules) {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
    if (re.test(environment)) return channel;
  }
  return fallback;
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
  for (const name of ['SERVICE_NAME', 'TASK_DEFINITION', 'SLACK_MENTION_ON_FAILURE']) {
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
  const region = clean.AWS_DEFAULT_REGION ?? clean.AWS_REGION;
  if (!region && !env.AWS_DEFAULT_REGION && !env.AWS_REGION) {
    problems.push('AWS_DEFAULT_REGION is required: the AWS region of the cluster (AWS_REGION is accepted too).');
  }

  const named = clean.SERVICE_NAME ?? [];
  const requested = clean.TASK_DEFINITION;
  if (requested && named.length && requested.length !== named.length) {
    problems.push(
      `TASK_DEFINITION names ${requested.length} task definition(s) for ${named.length} service(s) in SERVICE_NAME: give one per service, in the same order.`,
    );
  }
  const { services, taskDefinitions } = distinctServices(named, requested?.length === named.length ? requested : undefined, problems);

  const credentials = resolveCredentials(env, clean, problems);

  const tag = clean.TAG;
  const branch = clean.BRANCH;
  if (!tag && !branch && !env.TAG && !env.BRANCH) {
    problems.push('BRANCH or TAG is required: name what was deployed (BITBUCKET_BRANCH and BITBUCKET_TAG are not set either).');
  }

  if (problems.length) throw new ConfigError(problems);

  // Every value below was validated (or has a default) when no problem was found.
  const environment = valid(clean.ENVIRONMENT, 'ENVIRONMENT');
  const ref = tag ? { type: 'tag' as const, name: tag } : { type: 'branch' as const, name: valid(branch, 'BRANCH') };
  return {
    cluster: valid(clean.CLUSTER_NAME, 'CLUSTER_NAME'),
    services,
    taskDefinitions,
    environment,
    ref,
    commit: clean.COMMIT,
    repository: repositoryFrom(env),
    buildUrl: buildUrlFrom(env),
    slack: {
      token: valid(clean.SLACK_TOKEN, 'SLACK_TOKEN'),
      channel: channelFor(environment, clean.SLACK_CHANNELS ?? [], valid(clean.SLACK_CHANNEL, 'SLACK_CHANNEL')),
      apiUrl: valid(clean.SLACK_API_URL, 'SLACK_API_URL'),
      mentionOnFailure: clean.SLACK_MENTION_ON_FAILURE ?? [],
    },
    aws: { region: valid(region, 'AWS_DEFAULT_REGION'), credentials: valid(credentials, 'AWS credentials') },
    waitTimeoutMs: valid(clean.WAIT_TIMEOUT, 'WAIT_TIMEOUT') * MS_PER_SECOND,
    pollIntervalMs: valid(clean.POLL_INTERVAL, 'POLL_INTERVAL') * MS_PER_SECOND,
    deploymentGraceMs: valid(clean.DEPLOYMENT_GRACE_PERIOD, 'DEPLOYMENT_GRACE_PERIOD') * MS_PER_SECOND,
    crashLoopLimit: clean.CRASH_LOOP_LIMIT,
    waitUntil: valid(clean.WAIT_UNTIL, 'WAIT_UNTIL'),
    logLines: valid(clean.LOG_LINES, 'LOG_LINES'),
    debug: valid(clean.DEBUG, 'DEBUG'),
    proxy: {
      ...(clean.HTTP_PROXY ? { HTTP_PROXY: clean.HTTP_PROXY } : {}),
      ...(clean.HTTPS_PROXY ? { HTTPS_PROXY: clean.HTTPS_PROXY } : {}),
      ...(clean.NO_PROXY ? { NO_PROXY: clean.NO_PROXY } : {}),
    },
  };
}

const MS_PER_SECOND = 1000;

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
  if (env.AWS_OIDC_ROLE_ARN) {
    if (!env.BITBUCKET_STEP_OIDC_TOKEN) {
      problems.push('BITBUCKET_STEP_OIDC_TOKEN is missing while AWS_OIDC_ROLE_ARN is set: add "oidc: true" to the step that runs the pipe.');
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
  if (!hasId && !hasSecret) {
    problems.push(
      'AWS credentials are required: set AWS_OIDC_ROLE_ARN on a step with "oidc: true" (recommended), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (!clean.AWS_ACCESS_KEY_ID || !clean.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    kind: 'static',
    accessKeyId: clean.AWS_ACCESS_KEY_ID,
    secretAccessKey: clean.AWS_SECRET_ACCESS_KEY,
    ...(clean.AWS_SESSION_TOKEN ? { sessionToken: clean.AWS_SESSION_TOKEN } : {}),
  };
}

function repositoryFrom(env: Env): Config['repository'] {
  const fullName = env.BITBUCKET_REPO_FULL_NAME ?? (env.BITBUCKET_WORKSPACE && env.BITBUCKET_REPO_SLUG ? `${env.BITBUCKET_WORKSPACE}/${env.BITBUCKET_REPO_SLUG}` : undefined);
  if (!fullName || !/^[\w.-]+\/[\w.-]+$/.test(fullName)) return undefined;
  return { fullName, url: `https://bitbucket.org/${fullName}` };
}

function buildUrlFrom(env: Env): string | undefined {
  const repo = repositoryFrom(env);
  const build = env.BITBUCKET_BUILD_NUMBER;
  if (!repo || !build || !/^\d+$/.test(build)) return undefined;
  return `${repo.url}/pipelines/results/${build}`;
}
