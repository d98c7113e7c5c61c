import path from 'node:path';
import { ConfigError } from '@flowforge/service-kit';
import { MasterKeyring, parseMasterKey, type MasterKey } from './master-key';
import { loadOrCreateKeyFile, MASTER_KEY_FILE } from './master-key.file';

export interface MasterKeyringSource {
  /** FLOWFORGE_MASTER_KEY ('' when unset). */
  masterKey: string;
  /** FLOWFORGE_MASTER_KEY_PREVIOUS ('' when unset). */
  previousKeys: string;
  /** FLOWFORGE_HOME. */
  home: string;
  /** Only the embedded host may mint a key: a standalone container would lose it on its next restart. */
  mayGenerate: boolean;
}

export interface ResolvedKeyring {
  keyring: MasterKeyring;
  origin: 'environment' | 'key-file';
  /** The key file used (embedded mode). */
  file?: string;
  created: boolean;
  /** An unfinished rotation was found (master.key.next exists). */
  rotationPending: boolean;
}

function previousFrom(value: string): MasterKey[] {
  return value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseMasterKey('FLOWFORGE_MASTER_KEY_PREVIOUS', k));
}

/** Where the master key comes from: the variable, else (embedded) $FLOWFORGE_HOME/master.key; otherwise a config error. */
export function resolveMasterKeyring(src: MasterKeyringSource): ResolvedKeyring {
  const previous = previousFrom(src.previousKeys);
  if (src.masterKey.trim() !== '') {
    return {
      keyring: new MasterKeyring(parseMasterKey('FLOWFORGE_MASTER_KEY', src.masterKey), previous),
      origin: 'environment',
      created: false,
      rotationPending: false,
    };
  }
  if (!src.mayGenerate) {
    throw new ConfigError([
      'FF_CONFIG: FLOWFORGE_MASTER_KEY must be the base64 encoding of 32 random bytes, e.g. from `openssl rand -base64 32` ' +
        `(it is not set; only the embedded host generates one, into $FLOWFORGE_HOME/${MASTER_KEY_FILE})`,
    ]);
  }
  const state = loadOrCreateKeyFile(src.home);
  return {
    keyring: new MasterKeyring(state.key, [...(state.next ? [state.next] : []), ...previous]),
    origin: 'key-file',
    file: path.join(path.resolve(src.home), MASTER_KEY_FILE),
    created: state.created,
    rotationPending: state.next !== undefined,
  };
}
