import { S3Location } from './s3.location';

/** The catalog's `gcs` config: a bucket reached through GCS's XML API with HMAC keys. */
export interface GcsLocationConfig {
  bucket: string;
  prefix?: string;
  hmacAccessId: string;
  hmacSecret: string;
  /** Default https://storage.googleapis.com; another URL for a private endpoint or a test server. */
  endpoint?: string;
  allowPrivateNetworks?: boolean;
}

export const GCS_DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

/**
 * Google Cloud Storage through its XML interoperability API, which speaks the S3 protocol (SigV4 signed
 * with HMAC keys of a service account): the S3 location, path-style against storage.googleapis.com. The
 * native JSON API client is not used: it could not be tested here (no GCS emulator on this machine), the
 * XML API is tested against an S3-compatible server with `endpoint` set.
 */
export function gcsLocation(config: Record<string, unknown>): S3Location {
  const c = config as unknown as GcsLocationConfig;
  return new S3Location(
    {
      bucket: c.bucket,
      prefix: c.prefix,
      endpoint: c.endpoint ?? GCS_DEFAULT_ENDPOINT,
      // GCS ignores the region of the signature's scope but needs one; `auto` is what its docs use.
      region: 'auto',
      forcePathStyle: true,
      accessKeyId: c.hmacAccessId,
      secretAccessKey: c.hmacSecret,
      allowPrivateNetworks: c.allowPrivateNetworks === true,
    },
    { type: 'gcs', label: 'Google Cloud Storage' },
  );
}
