import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { actorFromHeaders } from '@flowforge/access';
import { ZodPipe } from '@flowforge/service-kit';
import {
  browseConnectionQuery,
  type BrowseConnectionQuery,
  createConnectionRequest,
  listConnectionsQuery,
  updateConnectionRequest,
  type CreateConnectionRequest,
  type ListConnectionsQuery,
  type UpdateConnectionRequest,
  uuidParam,
} from '@flowforge/http';
import { ConnectionsService, type ConnectionBrowseResult, type ConnectionCaller, type ConnectionView } from './connections.service';
import type { ConnectionTestResult } from './testers/probe-outcome';

/**
 * The caller's permissions as the gateway forwards them in the actor headers (libs/access actorHeaders);
 * only holders of the internal token can send them. Absent: the caller holds nothing (a peer's own call).
 */
function callerOf(headers: Record<string, string | string[] | undefined>): ConnectionCaller {
  const granted = actorFromHeaders(headers).permissions ?? [];
  return { mayAllowPrivateNetworks: granted.includes('settings:configure-system') };
}

/** Internal API (called by the gateway only; never exposed publicly). Bodies are validated with zod. */
@Controller('internal/catalog/connections')
export class ConnectionsInternalController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  create(
    @Body(new ZodPipe(createConnectionRequest)) body: CreateConnectionRequest,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<ConnectionView> {
    return this.connections.create(body, callerOf(headers));
  }

  @Get()
  list(@Query(new ZodPipe(listConnectionsQuery)) query: ListConnectionsQuery): Promise<ConnectionView[]> {
    return this.connections.list(query);
  }

  @Get(':id')
  get(@Param('id', uuidParam()) id: string): Promise<ConnectionView> {
    return this.connections.get(id);
  }

  @Patch(':id')
  update(
    @Param('id', uuidParam()) id: string,
    @Body(new ZodPipe(updateConnectionRequest)) body: UpdateConnectionRequest,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<ConnectionView> {
    return this.connections.update(id, body, callerOf(headers));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', uuidParam()) id: string): Promise<void> {
    await this.connections.delete(id);
  }

  @Post(':id/test')
  @HttpCode(200)
  test(@Param('id', uuidParam()) id: string): Promise<ConnectionTestResult> {
    return this.connections.test(id);
  }

  @Get(':id/browse')
  browse(@Param('id', uuidParam()) id: string, @Query(new ZodPipe(browseConnectionQuery)) query: BrowseConnectionQuery): Promise<ConnectionBrowseResult> {
    return this.connections.browse(id, query.path);
  }
}
