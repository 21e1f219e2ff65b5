// One validator per kind of pipe variable (envalid): each error names what is expected and quotes
// a bad value only when it is not a secret, cut short and with control characters spelled out.
import { makeValidator } from 'envalid';
import { parseTaskDefinitionRef } from '../core/task-definition.ts';
import type { TaskDefinitionRef, VerifyMode, WaitUntil } from '../core/vocabulary.ts';
import type { EnvironmentRule } from './settings.ts';

/**
 * The most services one run watches. A poll then takes 15 DescribeServices calls, and one message
 * still shows every failed service (the rest are counted); beyond it, split the run.
 */
export const MAX_SERVICES = 150;
/** How much of a bad value an error message quotes. */
const SHOWN_CHARS = 80;

// C0 and C1 controls, line and paragraph separators, and bidirectional overrides and isolates
// (which can make a name read as another in the Slack message).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A bad value as an error message quotes it: control characters spelled out and cut short, so nothing hides in it. */
export function shown(value: string): string {
  const cut = value.length > SHOWN_CHARS ? value.slice(0, SHOWN_CHARS) : value;
  const visible = cut.replace(new RegExp(CONTROL_CHARS.source, 'g'), (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  return value.length > SHOWN_CHARS ? `"${visible}…" (${value.length} characters)` : `"${visible}"`;
}
const RESOURCE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ecsArn = (kind: string) => new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:${kind}/[A-Za-z0-9_/-]{1,512}$`);

export function text(what: string, max = 255) {
  return makeValidator<string>((value) => {
    if (value.length > max) throw new Error(`must be ${what} of at most ${max} characters`);
    if (CONTROL_CHARS.test(value)) throw new Error(`must be ${what} without control characters`);
    return value;
  });
}

export function integer(min: number, max: number, unit = 'seconds') {
  return makeValidator<number>((value) => {
    if (!/^\d+$/.test(value.trim())) throw new Error(`must be a whole number of ${unit}, not ${shown(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max} ${unit}, not ${n}`);
    return n;
  });
}

export const boolean = makeValidator<boolean>((value) => {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(`must be true or false, not ${shown(value)}`);
});

export const waitUntil = makeValidator<WaitUntil>((value) => {
  const v = value.trim().toLowerCase();
  if (v === 'live' || v === 'retired') return v;
  throw new Error(`must be live or retired, not ${shown(value)}`);
});

export const verifyMode = makeValidator<VerifyMode>((value) => {
  const v = value.trim().toLowerCase();
  if (v === 'fail' || v === 'warn' || v === 'off') return v;
  throw new Error(`must be fail, warn or off, not ${shown(value)}`);
});

/** An http(s) URL to ask; its user, password and query are never shown (they may hold credentials). */
export const verifyUrl = makeValidator<string>((value) => {
  if (!URL.canParse(value.trim()))
    throw new Error('must be an http:// or https:// URL, such as https://shop.example.com/health (value not shown: it may hold credentials)');
  const url = new URL(value.trim());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must be an http:// or https:// URL, not ${shown(url.protocol)}`);
  return url.href;
});

/** A number with decimals allowed (e.g. 0.5), between `min` and `max`. */
export function decimal(min: number, max: number, unit: string) {
  return makeValidator<number>((value) => {
    if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new Error(`must be a number of ${unit} such as 0.5 or 2, not ${shown(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max} ${unit}, not ${n}`);
    return n;
  });
}

export const messageForm = makeValidator<'auto' | 'full' | 'compact'>((value) => {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === 'full' || v === 'compact') return v;
  throw new Error(`must be auto, full or compact, not ${shown(value)}`);
});

export const clusterName = makeValidator<string>((value) => {
  if (RESOURCE_NAME.test(value) || ecsArn('cluster').test(value)) return value;
  throw new Error(`must be an ECS cluster name (letters, digits, - and _) or cluster ARN, not ${shown(value)}`);
});

/** A comma-separated list (Bitbucket's YAML list form is folded into one before validation). */
export const serviceList = makeValidator<string[]>((value) => {
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

export const taskDefinitionList = makeValidator<TaskDefinitionRef[]>((value) => {
  const refs = splitList(value);
  const problems: string[] = [];
  const parsed = refs.map((raw) => {
    const ref = parseTaskDefinitionRef(raw);
    if (!ref) problems.push(shown(raw));
    return ref;
  });
  if (problems.length) {
    throw new Error(`must be a task definition ARN or family:revision with a numeric revision (e.g. api:42); not valid: ${problems.join(', ')}`);
  }
  return parsed.filter((r): r is TaskDefinitionRef => r !== undefined);
});

export const slackToken = makeValidator<string>((value) => {
  // Never echo the value: it is a credential.
  if (!/^(xoxe\.)?xoxb-[A-Za-z0-9-]+$/.test(value)) {
    throw new Error('must be the Bot User OAuth Token of the Slack app (it starts with "xoxb-"); the value given is not one (value not shown)');
  }
  return value;
});

const SLACK_CHANNEL = /^(#?[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$/;
export const slackChannel = makeValidator<string>((value) => {
  if (!SLACK_CHANNEL.test(value)) {
    throw new Error(`must be a channel name like #deploys or a channel ID like C0123456789, not ${shown(value)}`);
  }
  return value;
});

/** `pattern=value` pairs, comma-separated, each value checked by `valid`; `example` shows the form in the error. */
function environmentRules(what: string, valid: (value: string) => boolean, example: string) {
  return makeValidator<EnvironmentRule[]>((value) =>
    splitList(value).map((entry) => {
      const m = /^([A-Za-z0-9._*/ -]+)=(.+)$/.exec(entry);
      const pattern = m?.[1]?.trim();
      const v = m?.[2]?.trim();
      if (!pattern || !v || !valid(v)) throw new Error(`must be pattern=${what} pairs separated by commas (e.g. ${example}); not valid: ${shown(entry)}`);
      return { pattern, value: v };
    }),
  );
}

export const channelRules = environmentRules('channel', (v) => SLACK_CHANNEL.test(v), 'production=#deploys-prod,staging*=#deploys-staging');

export const slackApiUrl = makeValidator<string>((value) => {
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

export const mentionIds = makeValidator<string[]>((value) => {
  const ids = splitList(value);
  const bad = ids.filter((id) => !/^[UWS][A-Z0-9]{2,}$/.test(id));
  if (bad.length) {
    throw new Error(`must be Slack user IDs (U…/W…) or user group IDs (S…), separated by commas; not valid: ${bad.map(shown).join(', ')}`);
  }
  return ids;
});

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/;
export const region = makeValidator<string>((value) => {
  if (!REGION.test(value)) throw new Error(`must be an AWS region like eu-west-1, not ${shown(value)}`);
  return value;
});

export const regionRules = environmentRules('region', (v) => REGION.test(v), 'production=eu-west-1,*=eu-central-1');

export const accessKeyId = makeValidator<string>((value) => {
  if (!/^[A-Z0-9]{16,128}$/.test(value)) throw new Error('must be an AWS access key ID (16 or more capital letters and digits; value not shown)');
  return value;
});

export const secretValue = makeValidator<string>((value) => {
  if (/\s/.test(value)) throw new Error('contains white space; check how the secured variable was pasted (value not shown)');
  return value;
});

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const roleArn = makeValidator<string>((value) => {
  if (!ROLE_ARN.test(value)) {
    throw new Error(`must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy-notifier, not ${shown(value)}`);
  }
  return value;
});

/** A proxy URL; its password is never shown. */
export const proxyUrl = makeValidator<string>((value) => {
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

export const noProxyList = makeValidator<string>((value) => {
  const bad = splitList(value).filter((entry) => !/^(\*|\.?[A-Za-z0-9.:[\]_-]+(\/\d{1,3})?)$/.test(entry));
  if (bad.length) throw new Error(`must be host names, domains (.example.com), addresses or * separated by commas; not valid: ${bad.map(shown).join(', ')}`);
  return value;
});

/** A Bitbucket UUID as its variables give it, in braces (e.g. BITBUCKET_STEP_TRIGGERER_UUID). */
export const bitbucketUuid = makeValidator<string>((value) => {
  if (!/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i.test(value)) {
    throw new Error(`must be a Bitbucket UUID in braces, as $BITBUCKET_STEP_TRIGGERER_UUID gives it, not ${shown(value)}`);
  }
  return value;
});

export const buildNumber = makeValidator<string>((value) => {
  if (!/^\d{1,10}$/.test(value)) throw new Error(`must be a pipeline build number, as $BITBUCKET_BUILD_NUMBER gives it, not ${shown(value)}`);
  return value;
});

export const commitHash = makeValidator<string>((value) => {
  if (!/^[0-9a-f]{7,40}$/i.test(value)) throw new Error(`must be a git commit hash, not ${shown(value)}`);
  return value.toLowerCase();
});

/** Splits a comma-separated value; Bitbucket list variables were already folded in. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const roleRules = environmentRules(
  'role ARN',
  (v) => ROLE_ARN.test(v),
  'production=arn:aws:iam::111111111111:role/ecs-deploy-notifier,*=arn:aws:iam::222222222222:role/ecs-deploy-notifier',
);
