import { Controller, Get, Headers, Inject, Param } from '@nestjs/common';
import { connectionNameParam, executorCallerHeaders } from '@flowforge/http';
import { EXECUTOR_TOKEN_HEADER, FlowForgeError, HOST_RUNTIME, holdsExecutorToken, parseOrThrow, ZodPipe, type HostRuntime } from '@flowforge/service-kit';
import { ConnectionsService, type ExecutorConnectionView } from './connections.service';

type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * The executors' door to connection secrets (docs/architecture.md, Security model). Besides the internal
 * token every internal route demands (the gateway holds it too), a caller must hold the executor
 * credential (FLOWFORGE_EXECUTOR_TOKEN), which the gateway never has: so no public request, however it is
 * forwarded, can make the catalog hand out a secret. Every read is audited with the run and step it is for.
 */
@Controller('internal/catalog/executor/connections')
export class ConnectionsExecutorController {
  constructor(
    private readonly connections: ConnectionsService,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
  ) {}

  @Get('by-name/:name')
  byName(@Param('name', new ZodPipe(connectionNameParam, 'name')) name: string, @Headers() headers: RequestHeaders): Promise<ExecutorConnectionView> {
    this.requireExecutor(headers);
    const caller = parseOrThrow(executorCallerHeaders, headers, 'header');
    return this.connections.readForExecutor(name, {
      executor: caller['x-flowforge-executor'],
      runId: caller['x-flowforge-run-id'],
      stepId: caller['x-flowforge-step-id'],
      attempt: Number(caller['x-flowforge-attempt']),
    });
  }

  private requireExecutor(headers: RequestHeaders): void {
    if (headers[EXECUTOR_TOKEN_HEADER] === undefined) {
      throw new FlowForgeError(
        'FF_EXECUTOR_CREDENTIAL_REQUIRED',
        401,
        'Unauthorized',
        `this route answers executors only: it needs the executor credential (${EXECUTOR_TOKEN_HEADER}), not only the internal token`,
      );
    }
    if (!holdsExecutorToken(headers, this.runtime.executorToken)) {
      throw new FlowForgeError('FF_EXECUTOR_CREDENTIAL_INVALID', 403, 'Forbidden', `the executor credential (${EXECUTOR_TOKEN_HEADER}) is not this platform's`);
    }
  }
}
