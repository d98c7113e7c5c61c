/** Stable codes of location failures; messages name the location and path, never a secret. */
export type LocationErrorCode =
  | 'FF_LOCATION_INVALID_PATH' // a path that could leave the root (.., absolute, NUL, backslash) or is malformed
  | 'FF_LOCATION_NOT_FOUND' // the file or folder does not exist
  | 'FF_LOCATION_AUTH' // credentials refused
  | 'FF_LOCATION_UNREACHABLE' // host not found, refused, timed out, TLS failed
  | 'FF_LOCATION_REFUSED' // a policy refused it (private network, outside the local roots)
  | 'FF_LOCATION_TOO_MANY' // a selection matched more files than allowed
  | 'FF_LOCATION_UNSUPPORTED' // the type cannot do this (e.g. archive on HTTP)
  | 'FF_LOCATION_READ_ONLY' // the type only reads files (http): nothing can be written there
  | 'FF_LOCATION_EXISTS' // a write with overwrite: false found a file at the path
  | 'FF_LOCATION_INVALID_OPTION' // a write's body or option is malformed (the message names it)
  | 'FF_LOCATION_FAILED'; // anything else the server said

export class LocationError extends Error {
  constructor(
    readonly code: LocationErrorCode,
    message: string,
    /** False for failures a retry cannot fix (auth, not found, invalid path, refused). */
    readonly retryable = code === 'FF_LOCATION_UNREACHABLE' || code === 'FF_LOCATION_FAILED',
  ) {
    super(`${code}: ${message}`);
    this.name = 'LocationError';
  }
}
