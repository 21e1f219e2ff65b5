// Amazon ECR, JSON 1.1 (X-Amz-Target AmazonEC2ContainerRegistry_V20150921.*), for an image's
// revision label. BatchGetImage answers the manifest as the registry stores it
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html: `images` with
// `imageId`, `imageManifest`, `imageManifestMediaType`, and `failures` with `failureCode`
// ImageNotFound for an unknown tag or digest); GetDownloadUrlForLayer a pre-signed URL of a blob
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html;
// LayersNotFoundException for an unknown one), which this double serves itself at GET /ecr-blob/…
// as S3 would, without AWS credentials. The manifest, index and config follow the OCI image spec
// (https://github.com/opencontainers/image-spec: manifest.md, image-index.md, config.md), their
// digests the SHA-256 of their bytes. The exception texts are ours (AWS documents the names only).
import { createHash } from 'node:crypto';
import type { AccountModel } from './model.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** The path the double serves blobs at; the query string stands for S3's signature. */
export const ECR_BLOB_PATH = '/ecr-blob/';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** The blobs and manifests of one image of the model, by digest; `named` is what its tag resolves to. */
function imageOf(a: AccountModel, repository: string, tag: string): { named: string; byDigest: Map<string, { text: string; mediaType: string }> } | undefined {
  const image = a.ecrImages.get(`${repository}:${tag}`);
  if (!image) return undefined;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: image.labels ?? {} }, rootfs: { type: 'layers', diff_ids: [] } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
    layers: [],
    ...(image.annotations ? { annotations: image.annotations } : {}),
  });
  const byDigest = new Map([
    [digestOf(config), { text: config, mediaType: OCI_CONFIG }],
    [digestOf(manifest), { text: manifest, mediaType: OCI_MANIFEST }],
  ]);
  if (!image.multiPlatform) return { named: digestOf(manifest), byDigest };
  // A multi-platform build: an index of the Linux image and its attestation (platform unknown/unknown).
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, digest: digestOf(manifest), size: manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: OCI_MANIFEST, digest: digestOf('attestation'), size: 11, platform: { architecture: 'unknown', os: 'unknown' } },
    ],
  });
  byDigest.set(digestOf(index), { text: index, mediaType: OCI_INDEX });
  return { named: digestOf(index), byDigest };
}

/** Every blob or manifest of the model, by digest (for BatchGetImage by digest and the blob downloads). */
function blob(a: AccountModel, digest: string): { text: string; mediaType: string } | undefined {
  for (const key of a.ecrImages.keys()) {
    const [repository = '', tag = ''] = key.split(':');
    const found = imageOf(a, repository, tag)?.byDigest.get(digest);
    if (found) return found;
  }
  return undefined;
}

export function ecrApi(a: AccountModel, op: string, body: Record<string, unknown>, baseUrl: string): { status: number; body: unknown } {
  const repositoryName = String(body.repositoryName ?? '');
  const registryId = String(body.registryId ?? '');
  if (op === 'BatchGetImage') {
    const ids = Array.isArray(body.imageIds)
      ? body.imageIds.map((x) => (typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x)) : {}))
      : [];
    const images = [];
    const failures = [];
    for (const id of ids) {
      const tag = typeof id.imageTag === 'string' ? id.imageTag : undefined;
      const digest = typeof id.imageDigest === 'string' ? id.imageDigest : tag ? imageOf(a, repositoryName, tag)?.named : undefined;
      const found = digest ? blob(a, digest) : undefined;
      if (!digest || !found) {
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        continue;
      }
      images.push({
        registryId,
        repositoryName,
        imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) },
        imageManifest: found.text,
        imageManifestMediaType: found.mediaType,
      });
    }
    return { status: 200, body: { images, failures } };
  }
  if (op === 'GetDownloadUrlForLayer') {
    const layerDigest = String(body.layerDigest ?? '');
    if (!blob(a, layerDigest)) return { status: 400, body: { __type: 'LayersNotFoundException', message: `The layer ${layerDigest} does not exist.` } };
    return {
      status: 200,
      body: { downloadUrl: `${baseUrl}${ECR_BLOB_PATH}${layerDigest}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0f3e`, layerDigest },
    };
  }
  return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
}

/** A blob download (GET /ecr-blob/<digest>?…): its bytes, or S3's 404. */
export function ecrBlob(a: AccountModel, path: string): { status: number; body: string } {
  const digest = decodeURIComponent(path.slice(ECR_BLOB_PATH.length).split('?')[0] ?? '');
  const found = blob(a, digest);
  return found ? { status: 200, body: found.text } : { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
}
