import { z } from 'zod';
import type { SourceEvent } from './event-source';
import { valueAt } from './param-mapping';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * The filter of the message sources (Kafka, RabbitMQ): every condition given must hold (equality). Key
 * and headers are compared as text; `fields` are JSON paths into the payload (`order.status`).
 */
export const messageFilterSchema = z
  .strictObject({
    key: z.string().max(1000).optional().describe('the message key must equal this (Kafka: the record key; RabbitMQ: the routing key)'),
    headers: z.record(z.string().min(1).max(200), z.string().max(1000)).optional().describe('each header must be present with this value'),
    fields: z
      .record(z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+|\[\d+\])*$/, 'must be a path such as order.status or items[0].sku'), scalar)
      .optional()
      .describe('each payload field (a dotted path) must equal this JSON value'),
  })
  .describe('Every condition given must hold; absent: every message matches');
export type MessageFilter = z.output<typeof messageFilterSchema>;

const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));

/** Whether an event passes the filter, and why (naming the first condition that failed). */
export function matchFilter(filter: MessageFilter | undefined, event: SourceEvent): { matched: boolean; reason: string } {
  const meta = event.meta ?? {};
  if (meta.invalid) return { matched: false, reason: meta.invalid };
  if (!filter) return { matched: true, reason: 'no filter' };
  if (filter.key !== undefined && meta.key !== filter.key) return { matched: false, reason: `key is ${show(meta.key)}, wanted ${show(filter.key)}` };
  for (const [name, want] of Object.entries(filter.headers ?? {})) {
    const got = meta[`header.${name.toLowerCase()}`];
    if (got !== want) return { matched: false, reason: `header "${name}" is ${show(got)}, wanted ${show(want)}` };
  }
  for (const [path, want] of Object.entries(filter.fields ?? {})) {
    const got = valueAt(event.payload, `.${path}`.replace(/\.\[/g, '['));
    if (got !== want) return { matched: false, reason: `field "${path}" is ${show(got)}, wanted ${show(want)}` };
  }
  return { matched: true, reason: 'filter matched' };
}
