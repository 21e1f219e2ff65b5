// Runs the built program (the file the `bin` entry and the image run) as a child process, the way
// Bitbucket runs a pipe: configuration only through environment variables.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BUNDLE = fileURLToPath(new URL('../dist/ecs-deploy-notifier.cjs', import.meta.url));

export interface RunOptions {
  timeoutMs?: number;
  /** Sends SIGTERM once this returns true for the output so far (or at once when given a number: after that many ms). */
  terminateWhen?: ((stdout: string) => boolean) | number;
  /** Sends a second SIGTERM this many ms after the first, as an impatient runner might. */
  terminateAgainAfterMs?: number;
  /** Closes the program's stdout (its reader goes away) once this returns true for the output so far. */
  closeStdoutWhen?: (stdout: string) => boolean;
  /** Each line the program prints, as it prints it. */
  onLine?: (line: string) => void;
  /** The Node binary to run the bundle with, and its flags. */
  node?: string;
  nodeArgs?: string[];
}

/** The Node flags the image's ENTRYPOINT runs the bundle with (so the bench measures what ships). */
export function imageNodeArgs(dockerfile = fileURLToPath(new URL('../Dockerfile', import.meta.url))): string[] {
  const line = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ENTRYPOINT'));
  const argv = line ? (JSON.parse(line.slice('ENTRYPOINT'.length)) as string[]) : [];
  return argv.slice(1, -1);
}

export interface PipeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** From the first SIGTERM to the exit, when one was sent. */
  msAfterTerminate?: number;
}

export function runPipe(env: Record<string, string | undefined>, options: RunOptions = {}): Promise<PipeRun> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), BUNDLE], {
      // Nothing from the developer's machine leaks in: no ~/.aws, no instance metadata.
      env: Object.fromEntries(
        Object.entries({
          PATH: process.env.PATH,
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let terminatedAt: number | undefined;
    let partial = '';
    let closed = false;
    // As Bitbucket does when a step is stopped.
    const terminate = () => {
      if (terminatedAt !== undefined) return;
      terminatedAt = Date.now();
      child.kill('SIGTERM');
      if (options.terminateAgainAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), options.terminateAgainAfterMs);
    };
    if (typeof options.terminateWhen === 'number') setTimeout(terminate, options.terminateWhen);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (options.onLine) {
        const lines = (partial + d).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      }
      if (typeof options.terminateWhen === 'function' && options.terminateWhen(stdout)) terminate();
      if (!closed && options.closeStdoutWhen?.(stdout)) {
        closed = true;
        child.stdout.destroy();
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipe did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, msAfterTerminate: terminatedAt === undefined ? undefined : Date.now() - terminatedAt });
    });
  });
}
