// The commit an ECR image was built from, where it carries one: the `org.opencontainers.image.revision`
// annotation of its manifest, else the label of that name in its config
// (https://github.com/opencontainers/image-spec/blob/main/annotations.md). ECR gives the manifest
// (BatchGetImage: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html)
// and a pre-signed URL of the config blob (GetDownloadUrlForLayer:
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html), which
// is read without AWS credentials. For what changed only: every read is optional and bounded, and
// anything unreadable is undefined (a denied read warns which permission would have told it).
import type { EcrImage } from '../core/changes.ts';
import type { Logger } from '../logger.ts';
import type { Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { describe, isAccessDenied } from './retry.ts';

export const REVISION_KEY = 'org.opencontainers.image.revision';

/** An image manifest (OCI or Docker v2), and an index of them (OCI image index, Docker manifest list). */
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const ACCEPTED = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_LIST];
/** The platform whose image of an index is read: ECS runs Linux containers (a Windows task's labels are the same build's). */
const PLATFORM_OS = 'linux';

/** What a manifest says of its image: the revision annotation, the config blob's digest, or (an index) one platform's manifest. */
export interface ManifestFacts {
  revision?: string;
  config?: string;
  platformManifest?: string;
}

const record = (x: unknown): Record<string, unknown> | undefined =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x)) : undefined;
const text = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

function parsed(json: string | undefined): Record<string, unknown> | undefined {
  if (!json) return undefined;
  try {
    return record(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** A manifest's facts (https://github.com/opencontainers/image-spec/blob/main/manifest.md, …/image-index.md); nothing from what is not one. */
export function manifestFacts(json: string | undefined): ManifestFacts {
  const m = parsed(json);
  if (!m) return {};
  const revision = text(record(m.annotations)?.[REVISION_KEY]);
  const config = text(record(m.config)?.digest);
  const manifests = Array.isArray(m.manifests) ? m.manifests.map(record) : [];
  // An attestation manifest of an index names the platform unknown/unknown: never the image.
  const platform = manifests.find((x) => record(x?.platform)?.os === PLATFORM_OS);
  const platformManifest = text(platform?.digest);
  return { ...(revision ? { revision } : {}), ...(config ? { config } : {}), ...(platformManifest ? { platformManifest } : {}) };
}

/** The revision label of an image config (https://github.com/opencontainers/image-spec/blob/main/config.md: `config.Labels`). */
export function revisionInConfig(json: string | undefined): string | undefined {
  return text(record(record(parsed(json)?.config)?.Labels)?.[REVISION_KEY]);
}

export class ImageRevisions {
  constructor(
    private readonly clients: Pick<AwsClients, 'ecr'>,
    private readonly count: Counter,
    /** GETs a pre-signed URL (no credentials of ours), bounded; undefined when it does not answer 200. */
    private readonly download: (url: string) => Promise<string | undefined>,
    private readonly log: Logger,
  ) {}

  /** The revision `image` was built from, when it says; undefined otherwise, and on any failure (logged at debug). */
  async of(image: EcrImage): Promise<string | undefined> {
    try {
      const named = await this.manifest(image, image.digest ? { imageDigest: image.digest } : { imageTag: image.tag ?? 'latest' });
      const facts = named.platformManifest ? { ...(await this.manifest(image, { imageDigest: named.platformManifest })), ...pick(named) } : named;
      if (facts.revision || !facts.config) return facts.revision;
      const ecr = await this.clients.ecr(image.region);
      const { GetDownloadUrlForLayerCommand } = await import('./extra-clients.ts');
      const layer = await this.count(
        'ecr:GetDownloadUrlForLayer',
        (abortSignal) =>
          ecr.send(new GetDownloadUrlForLayerCommand({ registryId: image.registryId, repositoryName: image.repository, layerDigest: facts.config }), {
            abortSignal,
          }),
        { optional: true },
      );
      return layer.downloadUrl ? revisionInConfig(await this.download(layer.downloadUrl)) : undefined;
    } catch (error) {
      // A denied read is said (a policy that predates it); anything else is the image's own business.
      if (isAccessDenied(error)) {
        this.log.warn(
          `What changed does not read the previous image's revision label: allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on repository ${image.repository} (examples/iam-policy.json); the run is not affected.`,
        );
      } else this.log.debug(`The image's revision label is not read (${describe(error)})`);
      return undefined;
    }
  }

  private async manifest(image: EcrImage, imageId: { imageTag: string } | { imageDigest: string }): Promise<ManifestFacts> {
    const ecr = await this.clients.ecr(image.region);
    const { BatchGetImageCommand } = await import('./extra-clients.ts');
    const out = await this.count(
      'ecr:BatchGetImage',
      (abortSignal) =>
        ecr.send(
          new BatchGetImageCommand({ registryId: image.registryId, repositoryName: image.repository, imageIds: [imageId], acceptedMediaTypes: ACCEPTED }),
          { abortSignal },
        ),
      { optional: true },
    );
    return manifestFacts(out.images?.[0]?.imageManifest);
  }
}

/** An index's own annotation wins over its platform manifest's (both name the same build). */
function pick(index: ManifestFacts): Pick<ManifestFacts, 'revision'> {
  return index.revision ? { revision: index.revision } : {};
}
