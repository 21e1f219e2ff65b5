// The pipe's configuration as the program uses it: resolved once from the pipe variables
// (config/load.ts) and passed down read-only. Types only.
import type { UrlExpectation } from '../core/url-check.ts';
import type { TaskDefinitionRef, VerifySettings, WaitUntil } from '../core/vocabulary.ts';
import type { ProxySettings } from '../net.ts';

export type Credentials =
  | { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'oidc'; roleArn: string; webIdentityToken: string; sessionName: string }
  /**
   * Neither keys nor a role: the SDK's default provider chain (an ECS-hosted runner's container
   * credentials, an EC2 runner's instance profile, AWS_PROFILE with shared config files, SSO).
   * `expected`: where the environment says they will come from, for the log when the SDK does not say.
   */
  | { kind: 'default'; expected: DefaultSource };

/** Where the default provider chain finds credentials, in the words the log uses. */
export type DefaultSource = 'container credentials' | 'shared config profile' | 'web identity token file' | 'instance profile';

/**
 * One `pattern=value` pair of a per-environment variable (SLACK_CHANNELS, AWS_OIDC_ROLE_ARNS,
 * AWS_REGIONS): the pattern an environment name or a glob with `*`, matched case-insensitively.
 */
export interface EnvironmentRule {
  pattern: string;
  value: string;
}

export interface Config {
  /**
   * What the variables allow but probably do not mean (a production-looking environment falling
   * back to the default channel; OIDC and static keys both given): logged at the start, and a
   * warning of CHECK_ONLY. Never an error.
   */
  warnings: string[];
  cluster: string;
  services: string[];
  /** Same order as `services`; undefined: watch each service's PRIMARY deployment at start. */
  taskDefinitions: TaskDefinitionRef[] | undefined;
  environment: string;
  ref: { type: 'branch' | 'tag'; name: string };
  commit: string | undefined;
  repository: { fullName: string; url: string } | undefined;
  /** The notifier's own pipeline run (its watch log). */
  buildUrl: string | undefined;
  /** The deploy this run watches: who triggered it (a Bitbucket UUID) and its pipeline run, when the deploy step passed them. */
  deploy: { by?: string; buildUrl?: string };
  /** The pipelines proxy through which the Bitbucket API is reached without a secret (BITBUCKET_API_PROXY). */
  bitbucketProxy: string;
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
  /** VERIFY and its thresholds: the new version's traffic against the old one's. */
  verify: VerifySettings;
  /** VERIFY_URL: where to ask, as it may be shown (no user, password or query), and what its answer must carry. */
  verifyUrl?: { url: string; shown: string; expect: UrlExpectation };
  /** The message as one line, updated in place (MESSAGE_FORM, resolved for this environment), or the full card. */
  compact: boolean;
  /** LOG_LINES: 0 shows no container logs. */
  logLines: number;
  debug: boolean;
  /** APPROVERS: Slack user IDs who may continue or roll back a paused deployment with a reaction. */
  approvers: string[];
  /** CHECK_ONLY: the preflight instead of the watch. */
  checkOnly: boolean;
  /** The Code Insights report: inside Bitbucket, on COMMIT, unless CODE_INSIGHTS is false. */
  codeInsights?: {
    /** BITBUCKET_API_PROXY. */
    proxy: string;
    /** `workspace/repo-slug`. */
    repository: string;
    commit: string;
    environment: string;
  };
  /** Where requests to AWS and Slack go through, in the shape Node's agents read (`proxyEnv`). */
  proxy: ProxySettings;
}
