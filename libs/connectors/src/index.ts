// File locations (docs/architecture.md, Ingestion): one port for every place files come from, used by the
// catalog (test, browse) and by executors (list, read, archive, delete).
export type { FileLocation, FileEntry, Listing } from './location.port';
export { LocationError, type LocationErrorCode } from './location.errors';
export { checkRelativePath, joinRelative, baseName, dirName } from './location-path';
export { PARTIAL_MARKER, type WriteOptions, type WriteResult } from './location-write';
export { selectFiles, type FileSelector, type SelectionLimits } from './file-selection';
export { openLocation, fileLocationTypes, isFileLocationType, type LocationContext, type LocationOpener } from './location.factory';
export { LocalLocation } from './local.location';
export { checkLocalPath, localPathPolicy, realPathLenient, type LocalPathPolicy, type LocalPathVerdict } from './local-path.policy';
export {
  classifyAddress,
  ForbiddenAddressError,
  forbiddenAddressIn,
  guardedLookup,
  guardedSocket,
  pinnedLookup,
  refusedLiteral,
  resolvePublicTarget,
  type AddressClass,
  type ResolvedTarget,
} from './network-guard';
export { S3Location, type S3LocationConfig, type S3LocationOptions } from './s3.location';
export { gcsLocation, type GcsLocationConfig } from './gcs.location';
export { AzureBlobLocation, type AzureLocationConfig } from './azure.location';
export { HttpLocation, type HttpLocationConfig } from './http.location';
export { guardedAgents } from './guarded-http';
export { networkLocationError } from './location-network';
export { SftpLocation, type SftpLocationConfig } from './sftp.location';
export { FtpLocation, type FtpLocationConfig } from './ftp.location';
export { SmbLocation, type SmbLocationConfig } from './smb.location';
