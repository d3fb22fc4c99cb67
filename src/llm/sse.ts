// Bytes -> text -> server-sent events: the two lowest layers of a streamed completion.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Decodes UTF-8 incrementally: `stream: true` keeps a character split across two packets
 * until its last byte arrives, instead of turning both halves into U+FFFD.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Parses text into SSE events. eventsource-parser handles LF/CR/CRLF line ends, `:` comment
 * (keep-alive) lines and events split anywhere. At the end of input a final event that lacks
 * its blank line is still delivered: some relays close the stream right after the last line.
 */
export async function* parseSse(text: AsyncIterable<string>): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      ready.push({ event: message.event, data: message.data });
    },
  });
  for await (const piece of text) {
    parser.feed(piece);
    while (ready.length) yield ready.shift()!;
  }
  parser.feed('\n\n');
  while (ready.length) yield ready.shift()!;
}

/**
 * The same two layers as one synchronous step per network chunk: bytes in, complete events out.
 * The client's hot path uses this (no promise per layer per token); the async generators above
 * stay for callers that hold an async iterable.
 */
export class SseDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private ready: SseEvent[] = [];
  private readonly parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      this.ready.push({ event: message.event, data: message.data });
    },
  });

  /** Feeds one chunk; returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.utf8.decode(chunk, { stream: true });
    if (text) this.parser.feed(text);
    return this.take();
  }

  /** End of input: flushes a split character and a last event without its blank line. */
  end(): SseEvent[] {
    const rest = this.utf8.decode();
    if (rest) this.parser.feed(rest);
    this.parser.feed('\n\n');
    return this.take();
  }

  private take(): SseEvent[] {
    if (this.ready.length === 0) return NO_EVENTS;
    const out = this.ready;
    this.ready = [];
    return out;
  }
}

const NO_EVENTS: SseEvent[] = [];
