/** One dispatched Server-Sent Event. `data` is the text as sent (JSON for FlowForge streams). */
export interface SseMessage {
  /** The last `id:` seen on the stream so far (SSE's "last event ID"), undefined before any. */
  id?: string;
  event: string;
  data: string;
  /** `retry:` in ms, when this event carried one. */
  retry?: number;
}

/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6): feed it text as it arrives, in
 * chunks cut anywhere — mid-line, mid-field, between `\r` and `\n` — and it returns the events
 * completed so far. Lines end with LF, CRLF or CR; `data:` lines join with LF; a field's value loses
 * one leading space; `:` starts a comment (keep-alives); an event without data is not dispatched;
 * an event left unfinished when the stream ends is dropped, as the spec says.
 */
export class SseParser {
  private buffer = '';
  /** The previous chunk ended in CR: a LF opening the next one belongs to that line end. */
  private pendingCr = false;
  private started = false;
  private lastEventId: string | undefined;
  private event = '';
  private data: string[] = [];
  private retry: number | undefined;

  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      const message = this.line(this.buffer.slice(start, i));
      if (message) out.push(message);
      if (c === 0x0d) {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** Drops a half-received event; call when the stream ends. */
  end(): void {
    this.buffer = '';
    this.pendingCr = false;
    this.resetEvent();
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    if (this.data.length === 0) {
      this.resetEvent();
      return undefined;
    }
    const message: SseMessage = { event: this.event || 'message', data: this.data.join('\n') };
    if (this.lastEventId !== undefined) message.id = this.lastEventId;
    if (this.retry !== undefined) message.retry = this.retry;
    this.resetEvent();
    return message;
  }

  private resetEvent(): void {
    this.event = '';
    this.data = [];
    this.retry = undefined;
  }
}

/** The events of a response body, decoded as UTF-8 even when a character is split across chunks. */
export async function* readSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder('utf-8');
  const parser = new SseParser();
  for await (const chunk of body) yield* parser.push(decoder.decode(chunk, { stream: true }));
  yield* parser.push(decoder.decode());
  parser.end();
}
