// Every way the program can end, and the exit code the pipeline shows for it.
export const ExitCode = {
  /** The new version is live (or a newer deployment took over). */
  Ok: 0,
  /** The rollout failed, was rolled back, or did not finish within WAIT_TIMEOUT (AWS throttling all along included). */
  RolloutFailed: 1,
  /** A pipe variable is missing or malformed. Nothing was called. */
  InvalidConfig: 2,
  /** AWS said no: cluster or service not found, access denied, unsupported deployment type. */
  AwsProblem: 3,
  /** Slack said no, or could not be reached: the notification was not delivered. */
  SlackProblem: 4,
  /** The pipeline step was stopped (SIGTERM/SIGINT) before the rollout finished. */
  Cancelled: 130,
  /** A bug or an error nobody anticipated. */
  Unexpected: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem the user can fix; `message` says what happened and what to do. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid pipe variables: one line per variable, each naming it, none echoing a secret. */
export class ConfigError extends UserFacingError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, ExitCode.InvalidConfig);
  }
}

export class AwsError extends UserFacingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.AwsProblem, options);
  }
}

/** AWS kept failing in ways worth retrying (throttling, 5xx, no answer) until WAIT_TIMEOUT. */
export class AwsUnavailableError extends UserFacingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.RolloutFailed, options);
  }
}

export class SlackError extends UserFacingError {
  /** No later call can succeed either (the token is bad): end the watch at once. */
  readonly fatal: boolean;
  /**
   * Slack said no to this call for good (the channel, a scope, the content), not for now: sending
   * the same again later would not help. Otherwise (rate limited, unreachable, its own error) a
   * later attempt may well succeed.
   */
  readonly refused: boolean;
  constructor(message: string, options?: { cause?: unknown; fatal?: boolean; refused?: boolean }) {
    super(message, ExitCode.SlackProblem, options);
    this.fatal = options?.fatal ?? false;
    this.refused = this.fatal || (options?.refused ?? false);
  }

  /** A later attempt may succeed: a progress update that failed so can wait for the next poll. */
  get transient(): boolean {
    return !this.refused;
  }
}

/** The step was stopped (SIGTERM/SIGINT): the reason every pending call is abandoned with. */
export class StopRequested extends Error {
  constructor(readonly signal: string) {
    super(`the pipeline step was stopped (${signal})`);
    this.name = 'StopRequested';
  }
}
