// Generated from proto/asset/asset-committed.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A new snapshot of a lake table was committed. */
export interface AssetCommittedEvent {
  /** uuid v4; consumers record it in their inbox to drop redeliveries. */
  eventId: string;
  /** When the fact happened, epoch milliseconds. */
  occurredAt: number;
  /** Service that produced the event, e.g. "gateway". */
  producer: string;
  /** W3C trace context of the producing span. */
  traceparent: string | null;
  /** Version of this schema the producer wrote with (flowforge.version). */
  schemaVersion: number;
  /** Asset id, also the ordering key. */
  assetId: string;
  /** Layer the table lives in. */
  layer: AssetLayer;
  /** Table namespace in the catalog. */
  namespace: string;
  /** Table name. */
  table: string;
  /** Snapshot that was committed. */
  snapshotId: string;
  /** Previous snapshot; null for the first commit. */
  parentSnapshotId: string | null;
  /** Rows in the snapshot. */
  rowCount: number;
  /** Run that produced the snapshot, null for manual commits. */
  runId: string | null;
  /** Number of data files in the snapshot. */
  files: number;
  /** Source files read to make this snapshot (ingestion); empty for other writers. Added in version 2. */
  inputs: AssetInput[];
  /** Lake snapshots read to compute this snapshot (transformation, export of a view); empty for ingestion. With inputs, what reproduces the snapshot and what lineage is built from. Added in version 3. */
  sourceSnapshots: AssetSourceSnapshot[];
}

/** Medallion layer of the lake. */
export const AssetLayerSymbols = ['bronze', 'silver', 'gold'] as const;
export type AssetLayer = (typeof AssetLayerSymbols)[number];

/** One source file a snapshot was made from. */
export interface AssetInput {
  /** Catalog connection name the file was read through. */
  connection: string;
  /** Path relative to the connection's root. */
  path: string;
  /** Bytes, when the location says. */
  size: number | null;
  /** Entity tag or checksum, when the location has one (else null). */
  etag: string | null;
}

/** One lake table snapshot a snapshot was computed from. */
export interface AssetSourceSnapshot {
  /** Asset id of the table read. */
  assetId: string;
  /** The snapshot of it that was read. */
  snapshotId: string;
  /** Layer of the table read. */
  layer: AssetLayer;
  /** Namespace of the table read. */
  namespace: string;
  /** Name of the table read. */
  table: string;
}

/** io.flowforge.asset.AssetCommitted v3 on flowforge.asset.committed. */
export const AssetCommitted: EventDefinition<AssetCommittedEvent> = {
  name: 'io.flowforge.asset.AssetCommitted',
  topic: 'flowforge.asset.committed',
  subject: 'flowforge.asset.committed-value',
  version: 3,
  schema: {
    type: 'record',
    name: 'AssetCommitted',
    namespace: 'io.flowforge.asset',
    doc: 'A new snapshot of a lake table was committed.',
    flowforge: { topic: 'flowforge.asset.committed', version: 3 },
    fields: [
      {
        name: 'eventId',
        type: { type: 'string', logicalType: 'uuid' },
        doc: 'uuid v4; consumers record it in their inbox to drop redeliveries.',
      },
      {
        name: 'occurredAt',
        type: { type: 'long', logicalType: 'timestamp-millis' },
        doc: 'When the fact happened, epoch milliseconds.',
      },
      { name: 'producer', type: 'string', doc: 'Service that produced the event, e.g. "gateway".' },
      {
        name: 'traceparent',
        type: ['null', 'string'],
        default: null,
        doc: 'W3C trace context of the producing span.',
      },
      {
        name: 'schemaVersion',
        type: 'int',
        doc: 'Version of this schema the producer wrote with (flowforge.version).',
      },
      { name: 'assetId', type: 'string', doc: 'Asset id, also the ordering key.' },
      {
        name: 'layer',
        type: {
          type: 'enum',
          name: 'AssetLayer',
          doc: 'Medallion layer of the lake.',
          symbols: ['bronze', 'silver', 'gold'],
        },
        doc: 'Layer the table lives in.',
      },
      { name: 'namespace', type: 'string', doc: 'Table namespace in the catalog.' },
      { name: 'table', type: 'string', doc: 'Table name.' },
      { name: 'snapshotId', type: 'string', doc: 'Snapshot that was committed.' },
      {
        name: 'parentSnapshotId',
        type: ['null', 'string'],
        default: null,
        doc: 'Previous snapshot; null for the first commit.',
      },
      { name: 'rowCount', type: 'long', doc: 'Rows in the snapshot.' },
      {
        name: 'runId',
        type: ['null', 'string'],
        default: null,
        doc: 'Run that produced the snapshot, null for manual commits.',
      },
      { name: 'files', type: 'int', doc: 'Number of data files in the snapshot.' },
      {
        name: 'inputs',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'AssetInput',
            doc: 'One source file a snapshot was made from.',
            fields: [
              {
                name: 'connection',
                type: 'string',
                doc: 'Catalog connection name the file was read through.',
              },
              { name: 'path', type: 'string', doc: "Path relative to the connection's root." },
              {
                name: 'size',
                type: ['null', 'long'],
                default: null,
                doc: 'Bytes, when the location says.',
              },
              {
                name: 'etag',
                type: ['null', 'string'],
                default: null,
                doc: 'Entity tag or checksum, when the location has one (else null).',
              },
            ],
          },
        },
        default: [],
        doc: 'Source files read to make this snapshot (ingestion); empty for other writers. Added in version 2.',
      },
      {
        name: 'sourceSnapshots',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'AssetSourceSnapshot',
            doc: 'One lake table snapshot a snapshot was computed from.',
            fields: [
              { name: 'assetId', type: 'string', doc: 'Asset id of the table read.' },
              { name: 'snapshotId', type: 'string', doc: 'The snapshot of it that was read.' },
              { name: 'layer', type: 'AssetLayer', doc: 'Layer of the table read.' },
              { name: 'namespace', type: 'string', doc: 'Namespace of the table read.' },
              { name: 'table', type: 'string', doc: 'Name of the table read.' },
            ],
          },
        },
        default: [],
        doc: 'Lake snapshots read to compute this snapshot (transformation, export of a view); empty for ingestion. With inputs, what reproduces the snapshot and what lineage is built from. Added in version 3.',
      },
    ],
  },
};
