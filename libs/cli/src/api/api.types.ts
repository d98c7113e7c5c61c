// The public REST API's shapes as the CLI names them. Every type comes from the generated
// `@flowforge/contracts/http-api` (services/gateway/openapi.json → scripts/api-types-gen.js): a schema
// is used by its name in the document (RunDto, AssetDto…); an answer the document describes inline is
// named here after its route. Only the option lists commander needs at run time are written out, and
// `everyOf` makes the compiler hold each to the generated union, both ways.

import type { ApiEvents, ApiQuery, ApiResponse, AssetDto, Problem, RunDto } from '@flowforge/contracts/http-api';

/**
 * `list` as given when it holds every member of `T` (a value missing, or one `T` lacks, does not compile):
 * a state the API adds shows up here as a type error, not as a choice the CLI refuses.
 */
function everyOf<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })): L => list;
}

export const RUN_STATES = everyOf<RunDto['state']>()(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out']);

export const ASSET_LAYERS = everyOf<AssetDto['layer']>()(['bronze', 'silver', 'gold']);

export const AUDIT_OUTCOMES = everyOf<NonNullable<AuditQuery['outcome']>>()(['success', 'denied', 'error']);

/** A non-2xx answer's body as received: any field may be missing from a proxy's or an older server's. */
export type ProblemBody = Partial<Problem>;

/** POST /auth/login and /auth/refresh. */
export type TokenPair = ApiResponse<'/api/v1/auth/login', 'post'>;

/** GET /auth/whoami: who the gateway takes the caller for, whatever the credential. */
export type WhoAmI = ApiResponse<'/api/v1/auth/whoami', 'get'>;

export type ApiTokenView = ApiResponse<'/api/v1/tokens', 'get'>[number];

/** POST /tokens: the only answer that carries the token itself. */
export type CreatedApiToken = ApiResponse<'/api/v1/tokens', 'post'>;

type AuditQuery = ApiQuery<'/api/v1/audit/entries', 'get'>;

/** The filters of GET /audit/entries and /audit/export (paging apart). */
export type AuditFilters = Omit<AuditQuery, 'afterSeq' | 'limit'>;

/** GET /audit/entries: oldest first; `nextAfterSeq` is null on the last page. */
export type AuditEntryPage = ApiResponse<'/api/v1/audit/entries', 'get'>;

/** The payloads of the run event stream (GET /api/v1/runs/{id}/events) by event name. */
export type RunEvents = ApiEvents<'/api/v1/runs/{id}/events', 'get'>;
