#!/usr/bin/env node
// A Docker CLI stand-in for the release tests: it logs every call (FAKE_DOCKER_LOG) and keeps a
// registry in a file (FAKE_REGISTRY), one tag a line: `IMAGE:TAG` (an image, its digest made from
// the tag), `IMAGE:TAG sha256:…` (an image of that digest) or `IMAGE:TAG list sha256:… sha256:…`
// (a manifest list). It answers as the real CLI does:
// - `manifest inspect --verbose IMAGE:TAG`: the descriptor(s) as JSON, or "no such manifest";
//   FAKE_REGISTRY_ERROR makes it fail with that text instead (a registry or login that will not answer);
// - `push`, `manifest create`/`push`: record the tag in the registry;
// - `run … IMAGE:TAG`: what the image prints without variables (exit 2, compile cache accepted), or,
//   with FAKE_SMOKE_BROKEN, a crash;
// - `login --password-stdin`: reads the password to the end, into FAKE_DOCKER_LOG.password.
// FAKE_DOCKER_FAIL: the call with exactly these arguments fails (exit 1), as a push that times out.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const line = args.join(' ');
const log = process.env.FAKE_DOCKER_LOG ?? '/dev/null';
const registryFile = process.env.FAKE_REGISTRY ?? '/dev/null';
appendFileSync(log, `${line}\n`);

const digestOf = (tag) => `sha256:${createHash('sha256').update(tag).digest('hex')}`;
const entries = () =>
  new Map(
    (existsSync(registryFile) ? readFileSync(registryFile, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [tag, ...rest] = l.split(' ');
        return [tag, rest[0] === 'list' ? { list: rest.slice(1) } : { digest: rest[0] ?? digestOf(tag) }];
      }),
  );
const record = (tag, value) => appendFileSync(registryFile, `${tag} ${value}\n`);
const die = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

if (process.env.FAKE_DOCKER_FAIL && line === process.env.FAKE_DOCKER_FAIL) die('net/http: TLS handshake timeout');

if (args[0] === 'login') {
  writeFileSync(`${log}.password`, readFileSync(0, 'utf8'));
} else if (args[0] === 'manifest' && args[1] === 'inspect') {
  if (process.env.FAKE_REGISTRY_ERROR) die(process.env.FAKE_REGISTRY_ERROR);
  const tag = args.at(-1);
  const found = entries().get(tag);
  if (!found) die(`no such manifest: docker.io/${tag}`);
  const descriptor = (digest) => ({ Ref: tag, Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1234 } });
  process.stdout.write(JSON.stringify(found.list ? found.list.map(descriptor) : descriptor(found.digest)));
} else if (args[0] === 'push') {
  record(args[1], digestOf(`${args[1]}@built`));
} else if (args[0] === 'manifest' && args[1] === 'create') {
  const [tag, ...parts] = args.slice(args.indexOf('--amend') + 1);
  const known = entries();
  writeFileSync(`${registryFile}.pending-${tag.replace(/[/:]/g, '_')}`, parts.map((p) => known.get(p)?.digest ?? digestOf(p)).join(' '));
} else if (args[0] === 'manifest' && args[1] === 'push') {
  const tag = args.at(-1);
  record(tag, `list ${readFileSync(`${registryFile}.pending-${tag.replace(/[/:]/g, '_')}`, 'utf8')}`);
} else if (args[0] === 'run') {
  if (process.env.FAKE_SMOKE_BROKEN) die("Error: Cannot find module '/pipe/ecs-deploy-notifier.cjs'");
  process.stderr.write('COMPILE_CACHE: V8 code cache for CommonJS /pipe/ecs-deploy-notifier.cjs was accepted.\n');
  process.stdout.write('CLUSTER_NAME is required: ECS cluster name or ARN.\n');
  process.exit(2);
}
