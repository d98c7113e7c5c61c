import { randomUUID } from 'node:crypto';
import * as avro from 'avsc';
import { AvroCodec } from './avro-codec';
import { EventDecodeError, EventEncodeError } from './codec.port';
import type { EventDefinition, EventEnvelope } from './event-definition';
import { AllEventDefinitions, EchoRequested, RunRequested, StepDispatched, stepDispatchedTopic, type RunRequestedEvent } from './generated';
import { InMemorySchemaRegistry } from './in-memory-schema-registry';

function runRequested(overrides: Partial<RunRequestedEvent> = {}): RunRequestedEvent {
  return {
    eventId: randomUUID(),
    occurredAt: 1_700_000_000_123,
    producer: 'gateway',
    traceparent: null,
    schemaVersion: 1,
    runId: 'run-1',
    workflowId: 'wf-sales',
    workflowVersion: 3,
    params: { date: '2024-01-01' },
    idempotencyKey: null,
    requestedBy: 'user:42',
    ...overrides,
  };
}

async function decodeError(p: Promise<unknown>): Promise<EventDecodeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EventDecodeError);
  return err as EventDecodeError;
}

describe('AvroCodec', () => {
  let registry: InMemorySchemaRegistry;
  let codec: AvroCodec;

  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
    codec = new AvroCodec(registry);
  });

  it.each(AllEventDefinitions.map((def) => [def.name, def] as const))('round-trips %s', async (_name, def) => {
    const d = def as EventDefinition<EventEnvelope>;
    // avsc's random() yields a valid value for any schema, so every generated event is covered.
    const value = avro.Type.forSchema(d.schema as avro.Schema).random() as unknown as EventEnvelope;
    const frame = await codec.encode(d, value);
    expect(frame[0]).toBe(0);
    expect(frame.readInt32BE(1)).toBe((await registry.getLatest(d.subject))?.id);
    expect(await codec.decode(d, frame)).toEqual(value);
  });

  it('round-trips a realistic RunRequested with the Confluent frame layout', async () => {
    const event = runRequested();
    const frame = await codec.encode(RunRequested, event);
    const id = frame.readInt32BE(1);
    expect(await registry.getById(id)).toEqual(RunRequested.schema);
    const body = avro.Type.forSchema(RunRequested.schema as avro.Schema).toBuffer(event);
    expect(frame.subarray(5).equals(body)).toBe(true);
    const decoded = await codec.decode(RunRequested, frame);
    expect(decoded).toEqual(event);
    expect(decoded.params.date).toBe('2024-01-01');
  });

  it('registers each schema once however many events are encoded concurrently', async () => {
    const spy = jest.spyOn(registry, 'register');
    await Promise.all(Array.from({ length: 50 }, () => codec.encode(RunRequested, runRequested())));
    await codec.encode(RunRequested, runRequested());
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('fetches a writer schema once per id when decoding', async () => {
    const writer = new AvroCodec(registry);
    const frame = await writer.encode(EchoRequested, {
      eventId: randomUUID(),
      occurredAt: 1,
      producer: 'gateway',
      traceparent: '00-abc-def-01',
      schemaVersion: 1,
      echoId: 'e1',
      message: 'hello',
    });
    const spy = jest.spyOn(registry, 'getById');
    for (let i = 0; i < 5; i++) expect((await codec.decode(EchoRequested, frame)).message).toBe('hello');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('dispatches StepDispatched on one topic per executor under one subject', () => {
    expect(stepDispatchedTopic('quality')).toBe('flowforge.step.dispatched.quality');
    expect(StepDispatched.subject).toBe('flowforge.step.dispatched-value');
    expect(() => stepDispatchedTopic('bogus' as 'quality')).toThrow('FF_CONTRACTS_UNKNOWN_EXECUTOR');
  });

  describe('encode refuses a value that does not match the schema', () => {
    it('names a field of the wrong type', async () => {
      const err = await codec.encode(RunRequested, runRequested({ workflowVersion: 'three' as unknown as number })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EventEncodeError);
      expect((err as EventEncodeError).code).toBe('FF_EVENT_ENCODE');
      expect((err as Error).message).toBe(
        'FF_EVENT_ENCODE: io.flowforge.run.RunRequested does not match its schema: field "workflowVersion" expected null | int, got "three"',
      );
    });

    it('names a missing field and a bad map value', async () => {
      const bad = { ...runRequested(), params: { date: 5 } } as unknown as RunRequestedEvent;
      delete (bad as Partial<RunRequestedEvent>).requestedBy;
      await expect(codec.encode(RunRequested, bad)).rejects.toThrow(
        /field "params\.date" expected string, got number 5; field "requestedBy" is missing \(expected string\)/,
      );
    });

    it('rejects undeclared fields only when asked to', async () => {
      const extra = { ...runRequested(), runID: 'typo' } as RunRequestedEvent;
      await expect(codec.encode(RunRequested, extra)).resolves.toBeInstanceOf(Buffer);
      const strict = new AvroCodec(registry, { rejectUndeclaredFields: true });
      await expect(strict.encode(RunRequested, extra)).rejects.toThrow('the value has fields the schema does not declare');
    });
  });

  describe('decode turns bad frames into EventDecodeError with the reason', () => {
    it('bad magic byte', async () => {
      const frame = await codec.encode(RunRequested, runRequested());
      frame[0] = 0x7b;
      expect((await decodeError(codec.decode(RunRequested, frame))).message).toBe('FF_EVENT_DECODE: bad magic byte 0x7b (expected 0x00)');
    });

    it('frame too short', async () => {
      const err = await decodeError(codec.decode(RunRequested, Buffer.from([0, 0, 1])));
      expect(err.message).toContain('frame too short: 3 bytes');
      expect(err.code).toBe('FF_EVENT_DECODE');
    });

    it('truncated body', async () => {
      const frame = await codec.encode(RunRequested, runRequested());
      const err = await decodeError(codec.decode(RunRequested, frame.subarray(0, frame.length - 4)));
      expect(err.message).toMatch(/^FF_EVENT_DECODE: Avro decode failed: .*truncated/);
    });

    it('unknown schema id', async () => {
      const frame = Buffer.from([0, 0, 0, 0x30, 0x39, 1, 2, 3]);
      expect((await decodeError(codec.decode(RunRequested, frame))).message).toBe('FF_EVENT_DECODE: unknown schema id 12345');
    });

    it('garbage Avro under a known id', async () => {
      const good = await codec.encode(EchoRequested, {
        eventId: 'x',
        occurredAt: 1,
        producer: 'p',
        traceparent: null,
        schemaVersion: 1,
        echoId: 'e',
        message: 'm',
      });
      const garbage = Buffer.concat([good.subarray(0, 5), Buffer.alloc(16, 0xff)]);
      expect((await decodeError(codec.decode(EchoRequested, garbage))).message).toMatch(/^FF_EVENT_DECODE: Avro decode failed: /);
    });

    it('writer schema the reader cannot resolve', async () => {
      const echoFrame = await codec.encode(EchoRequested, {
        eventId: 'x',
        occurredAt: 1,
        producer: 'p',
        traceparent: null,
        schemaVersion: 1,
        echoId: 'e',
        message: 'm',
      });
      const err = await decodeError(codec.decode(RunRequested, echoFrame));
      expect(err.message).toContain('cannot be read as io.flowforge.run.RunRequested');
    });
  });

  it('reads data written with v1 using a v2 reader that added a defaulted field', async () => {
    const v2Schema = structuredClone(RunRequested.schema) as { fields: unknown[]; flowforge: { version: number } };
    v2Schema.flowforge.version = 2;
    v2Schema.fields.push({ name: 'priority', type: 'int', default: 5 });
    const v2: EventDefinition<RunRequestedEvent & { priority: number }> = {
      name: RunRequested.name,
      topic: RunRequested.topic,
      subject: RunRequested.subject,
      version: 2,
      schema: v2Schema as unknown as Record<string, unknown>,
    };

    const written = await new AvroCodec(registry).encode(RunRequested, runRequested({ runId: 'old' }));
    const decoded = await codec.decode(v2, written);
    expect(decoded.runId).toBe('old');
    expect(decoded.priority).toBe(5);

    // The v2 producer registers v2 as version 2 of the same subject; both readers keep working.
    const v2Frame = await codec.encode(v2, { ...runRequested({ runId: 'new' }), schemaVersion: 2, priority: 9 });
    expect(v2Frame.readInt32BE(1)).not.toBe(written.readInt32BE(1));
    expect((await registry.getLatest(RunRequested.subject))?.version).toBe(2);
    expect((await codec.decode(v2, v2Frame)).priority).toBe(9);
    expect((await codec.decode(RunRequested, v2Frame)).runId).toBe('new');
  });
});
