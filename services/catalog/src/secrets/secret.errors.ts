import { FlowForgeError } from '@flowforge/service-kit';

/**
 * A stored secret that cannot be decrypted. 500-class on purpose: the caller did nothing wrong; an
 * operator must restore the key (or the row). The message names the row, never the value.
 */
export class SecretUnreadableError extends FlowForgeError {
  constructor(code: 'FF_SECRET_KEY_UNKNOWN' | 'FF_SECRET_TAMPERED', detail: string) {
    super(code, 500, 'Stored secret cannot be decrypted', detail);
  }
}
