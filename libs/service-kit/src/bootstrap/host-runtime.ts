import { SERVICE_PORTS, type ServiceName } from '../config/common-config';
import { EXECUTOR_TOKEN_HEADER, INTERNAL_TOKEN_HEADER } from '../http/internal-api.guard';

export type HostMode = 'embedded' | 'standalone';

/**
 * What a service module may know about the process hosting it — only enough to reach its peers over
 * internal HTTP; never which other modules are loaded.
 */
export class HostRuntime {
  constructor(
    readonly mode: HostMode,
    /** "embedded" or the service name. */
    readonly host: string,
    /** The bound HTTP port (set again after listen, for port 0). */
    public port: number,
    readonly databaseUrl: string,
    /** The shared secret of the internal APIs (FLOWFORGE_INTERNAL_TOKEN, or this process's random one). */
    readonly internalToken: string,
    /**
     * The executors' credential (FLOWFORGE_EXECUTOR_TOKEN, or this process's random one): routes that hand
     * out secrets to executors demand it besides the internal token. The gateway never sends it.
     */
    readonly executorToken: string = '',
  ) {}

  /** Headers a call to a peer's internal API carries. */
  internalHeaders(): Record<string, string> {
    return { [INTERNAL_TOKEN_HEADER]: this.internalToken };
  }

  /**
   * Headers an executor's call to an executor-only route carries (`/internal/<service>/executor/...`): the
   * internal token and the executor credential. Only executor code calls this.
   */
  executorHeaders(): Record<string, string> {
    return { ...this.internalHeaders(), [EXECUTOR_TOKEN_HEADER]: this.executorToken };
  }

  /**
   * Base URL of a peer's internal API when no explicit FLOWFORGE_<SERVICE>_URL is set: the process's
   * own port when embedded (every module is here), else the peer's standalone default port.
   */
  defaultServiceUrl(service: ServiceName): string {
    const port = this.mode === 'embedded' ? this.port : SERVICE_PORTS[service];
    return `http://127.0.0.1:${port}`;
  }
}
