import type { LocalPathPolicy } from './local-path.policy';
import { LocalLocation } from './local.location';
import { LocationError } from './location.errors';
import type { FileLocation } from './location.port';
import { S3Location, type S3LocationConfig } from './s3.location';
import { gcsLocation } from './gcs.location';
import { AzureBlobLocation, type AzureLocationConfig } from './azure.location';
import { HttpLocation, type HttpLocationConfig } from './http.location';
import { FtpLocation, type FtpLocationConfig } from './ftp.location';
import { SftpLocation, type SftpLocationConfig } from './sftp.location';
import { SmbLocation, type SmbLocationConfig } from './smb.location';

/**
 * What a location needs besides its connection config: the local path policy and the outbound network
 * guard's decision. Types add their own needs here (one field each), never globals.
 */
export interface LocationContext {
  localPolicy: LocalPathPolicy;
}

/** Builds a location from a connection's type and decrypted config (secrets included: never log it). */
export type LocationOpener = (config: Record<string, unknown>, ctx: LocationContext) => FileLocation;

const openers = new Map<string, LocationOpener>([
  ['local', (config, ctx) => new LocalLocation(String(config.path), ctx.localPolicy)],
  // Networked types: every outbound socket passes the address guard (network-guard.ts), allowPrivateNetworks from the config.
  ['s3', (config) => new S3Location(config as unknown as S3LocationConfig)],
  ['gcs', (config) => gcsLocation(config)],
  ['azure', (config) => new AzureBlobLocation(config as unknown as AzureLocationConfig)],
  ['http', (config) => new HttpLocation(config as unknown as HttpLocationConfig)],
  // The catalog validated these configs against its schemas (connection-types.ts) before they got here.
  ['sftp', (config) => new SftpLocation(config as unknown as SftpLocationConfig)],
  ['ftp', (config) => new FtpLocation(config as unknown as FtpLocationConfig)],
  ['smb', (config) => new SmbLocation(config as unknown as SmbLocationConfig)],
]);

/** The connection types that are file locations (test, browse, ingest). */
export function fileLocationTypes(): string[] {
  return [...openers.keys()].sort();
}

export function isFileLocationType(type: string): boolean {
  return openers.has(type);
}

/** Opens a location of a connection; FF_LOCATION_UNSUPPORTED for a type that holds no files (postgres, kafka...). */
export function openLocation(type: string, config: Record<string, unknown>, ctx: LocationContext): FileLocation {
  const opener = openers.get(type);
  if (!opener)
    throw new LocationError(
      'FF_LOCATION_UNSUPPORTED',
      `a "${type}" connection is not a file location (file locations: ${fileLocationTypes().join(', ')})`,
      false,
    );
  return opener(config, ctx);
}
