export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseStream {
  events: SseEvent[];
  /** Resolves with every event once the server ends the stream. */
  done: Promise<SseEvent[]>;
  /** Resolves when an event matching `pred` has arrived. */
  until(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
}

/** A minimal Server-Sent Events client over fetch, for tests (the run event stream, internal or public). */
export function readSse(url: string, headers: Record<string, string> = {}, timeoutMs = 20_000): SseStream {
  const events: SseEvent[] = [];
  const waiters: { pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const push = (e: SseEvent): void => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  const done = (async () => {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) throw new Error(`SSE ${url}: ${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const e: SseEvent = { event: 'message', data: undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') e.id = value;
          else if (field === 'event') e.event = value;
          else if (field === 'data') e.data = JSON.parse(value);
        }
        if (e.data !== undefined) push(e);
      }
    }
    return events;
  })();
  return {
    events,
    done,
    until: (pred, ms = 15_000) => {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<SseEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching SSE event within ${ms} ms; got ${JSON.stringify(events.map((x) => x.event))}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
        done.catch(reject);
      });
    },
  };
}
