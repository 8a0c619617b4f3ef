/**
 * A Server-Sent Events parser (WHATWG HTML §9.2.6) fed text chunks as they arrive from a fetch()
 * body. EventSource cannot send an Authorization or NGSILD-Tenant header, so the dashboard reads
 * `/live` with fetch and parses the stream itself. Pure: no I/O, unit-tested on split chunks.
 */

export interface SseEvent {
  /** `event:` field, "message" by default. */
  event: string;
  data: string;
  /** `id:` field, when one was given (the last one seen, as the spec says). */
  id?: string;
}

/** Incremental parser: `push` chunks, get the complete events; a comment line (`:`) is ignored. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;
  /** The reconnection time a `retry:` field asked for, in ms. */
  retry: number | undefined;

  /** Feed a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    // Lines end in CRLF, LF or CR; a CR at the very end may be half of a CRLF still to come.
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (m === null) break;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev !== undefined) out.push(ev);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = '';
    if (data.length === 0) return undefined;
    const ev: SseEvent = { event: event === '' ? 'message' : event, data: data.join('\n') };
    if (this.lastId !== undefined) ev.id = this.lastId;
    return ev;
  }
}
