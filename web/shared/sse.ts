// sse.ts — Server-Sent Events over fetch: EventSource cannot POST, so the
// stream is read from a ReadableStream and split into events here
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).

export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds chunks of text; calls onEvent for each complete event. */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];

  constructor(private onEvent: (e: SseEvent) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      // A lone '\r' at the end may be the first half of "\r\n".
      if (!m || (m[0] === '\r' && m.index === this.buf.length - 1)) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line[0] === ':') return; // comment (heartbeat)
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    let value = c < 0 ? '' : line.slice(c + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
