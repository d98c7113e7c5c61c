import type { IncomingMessage, ServerResponse } from 'node:http';

/** The few Express fields FlowForge reads; @types/express is not installed, and node's types suffice. */
export interface HttpRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: string };
  params?: Record<string, string>;
  body?: unknown;
}

export type HttpResponse = ServerResponse;
