// The server-sent events of a streamed answer, parsed by eventsource-parser straight off the body's
// chunks. The SDKs make the request (its headers, retries and error statuses); the stream of a
// successful one we read ourselves: the SDKs' own SSE readers (a web stream, a line decoder, a byte
// buffer per chunk) were the largest CPU cost per call left at 100 calls in flight
// (docs/BENCHMARKS.md, "Timing fidelity").
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ProviderConfig } from '../types';
import { parseJson, redact } from './errors';
import { bodyChunks } from './httpTransport';
import { secretsOf } from './sdkOptions';

export type ServerSentEvent = EventSourceMessage;

/** Every event of the body, in order. */
export async function* serverSentEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  const ready: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: (event) => ready.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of bodyChunks(response)) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (ready.length) yield* ready.splice(0);
  }
  parser.feed(decoder.decode());
  yield* ready.splice(0);
  // The server closed without the blank line after its last event (some gateways do): the spec
  // drops that event. A whole one (its JSON complete) is kept; one cut off mid-way is not an event.
  parser.feed('\n\n');
  for (const event of ready) if (parseJson(event.data) !== undefined) yield event;
}

/**
 * An event's JSON. One that is not JSON is logged (redacted, cut) and its SyntaxError thrown, which
 * errors.ts reports as a malformed stream event.
 */
export function eventJson(event: ServerSentEvent, config: ProviderConfig): unknown {
  try {
    return JSON.parse(event.data);
  } catch (e) {
    config.log?.('error', redact(`${config.name}: a stream event is not JSON: ${event.data.slice(0, MAX_LOGGED_EVENT)}`, ...secretsOf(config)));
    throw e;
  }
}

/** Enough of a malformed event to recognise it in the log. */
const MAX_LOGGED_EVENT = 500;
