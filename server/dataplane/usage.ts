import { Transform, type TransformCallback } from "node:stream";
import { Usage, type Endpoint } from "../../api";
import type { Spent } from "../store";

// Token accounting: what a request may spend at most (its reservation), and what it spent, from
// Writer's `usage` where Writer reports one and estimated where it does not (completions, graph
// questions, applications, vision, translation, and any stream cut short before its usage chunk).

/** max_tokens the gateway sends for a key whose tokens are limited when the client set none (the answer's bound). */
export const DEFAULT_MAX_TOKENS = 1024;
/** The answer's share of a reservation on endpoints Writer offers no bound for (graph questions, applications, vision, translation). */
export const DEFAULT_ANSWER_RESERVE = 1024;

/**
 * The estimate where Writer reports nothing: one token per 4 bytes of UTF-8 text. Writer's
 * tokenizer is not published; against o200k_base (a current BPE tokenizer) it is +15% on English
 * prose, +12% on Chinese and -3% on code (tests/unit/tokens.test.ts measures it).
 * A tokenizer library was measured and not taken: js-tiktoken's o200k_base costs 0.9 s and 174 MB
 * to load and 1.7 ms per 4.5 KB, too much for a gateway hop.
 */
export const estimateTokens = (bytes: number): number => (bytes <= 0 ? 0 : Math.ceil(bytes / 4));

/** Keys whose string values are names, ids or settings, not text a model reads or writes. */
const NOT_TEXT = new Set(["id", "model", "role", "type", "object", "finish_reason", "status", "created_at", "updated_at", "stream", "format", "name",
  "source_language_code", "target_language_code", "logprobs", "tool_choice", "response_format", "url", "urls", "href"]);
const isIdKey = (k: string) => k.endsWith("_id") || k.endsWith("_ids") || k.endsWith("Id");

/** UTF-8 bytes of the text in a JSON value (string leaves, except under keys that hold names and ids), walked without recursion. */
export function textBytes(v: unknown): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === "string") n += Buffer.byteLength(x);
    else if (Array.isArray(x)) for (const c of x) stack.push(c);
    else if (x && typeof x === "object") {
      for (const [k, c] of Object.entries(x)) if (!NOT_TEXT.has(k) && !isIdKey(k)) stack.push(c);
    }
  }
  return n;
}

/** Token counts from a `usage` object, if it is one. */
export function tokensOf(usage: unknown): { prompt: number; completion: number } | undefined {
  // Most streamed events carry no usage: a failed parse builds zod issues, the stream's largest cost.
  if (typeof usage !== "object" || usage === null) return undefined;
  const u = Usage.safeParse(usage);
  if (!u.success || (u.data.prompt_tokens === undefined && u.data.completion_tokens === undefined && u.data.total_tokens === undefined)) return undefined;
  const prompt = u.data.prompt_tokens ?? 0;
  const completion = u.data.completion_tokens ?? Math.max(0, (u.data.total_tokens ?? 0) - prompt);
  return { prompt, completion };
}

/** Tokens a chat template adds per message (role markers and separators) at most, in the reservation's prompt bound. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;

/**
 * The most a request may spend: its prompt's bound (a byte-level BPE tokenizer makes at most one
 * token per UTF-8 byte of text, plus TEMPLATE_TOKENS_PER_MESSAGE per message) plus its answer's
 * bound: `max_tokens`, or for a limited key without one DEFAULT_MAX_TOKENS, which the gateway then
 * sends (`setMaxTokens`), or DEFAULT_ANSWER_RESERVE where Writer takes no bound.
 */
export function reservationFor(e: Endpoint, body: Record<string, unknown> | undefined): { tokens: number; setMaxTokens?: number } {
  if (!e.generates) return { tokens: 0 };
  const messages = Array.isArray(body?.messages) ? body.messages.length : 1;
  const prompt = textBytes(body) + TEMPLATE_TOKENS_PER_MESSAGE * messages;
  if (e.generates.maxTokens) {
    // Several answers (chat `n`, completions `best_of`) may each spend max_tokens.
    const answers = e.generates.answers && typeof body?.[e.generates.answers] === "number" ? (body[e.generates.answers] as number) : 1;
    const asked = body?.[e.generates.maxTokens];
    if (typeof asked === "number") return { tokens: prompt + answers * asked };
    return { tokens: prompt + answers * DEFAULT_MAX_TOKENS, setMaxTokens: DEFAULT_MAX_TOKENS };
  }
  return { tokens: prompt + DEFAULT_ANSWER_RESERVE };
}

/** What one request spent, from what its answer reported or from the text that went both ways. */
export class Meter {
  private reported: { prompt: number; completion: number } | undefined;
  private answerBytes = 0;
  private promptBytes: number;

  constructor(body: unknown, private readonly settled: (s: Spent) => void) {
    this.promptBytes = textBytes(body);
  }

  /** A whole JSON answer (or one streamed event's data). */
  read(json: unknown): void {
    const u = tokensOf((json as { usage?: unknown } | null)?.usage);
    if (u) this.reported = u;
    this.answerBytes += textBytes(json);
  }

  /** An answer the gateway never sees (async work), charged as this many tokens (an estimate). */
  assumeAnswer(tokens: number): void {
    this.answerBytes += tokens * 4;
  }

  /** Answer bytes that are not JSON (counted as text). */
  readRaw(bytes: number): void {
    this.answerBytes += bytes;
  }

  /** What was spent: Writer's figures where it reported them, the estimate otherwise. */
  spent(): Spent {
    if (this.reported) return { ...this.reported, estimatedPrompt: 0, estimatedCompletion: 0 };
    const prompt = estimateTokens(this.promptBytes);
    const completion = estimateTokens(this.answerBytes);
    return { prompt, completion, estimatedPrompt: prompt, estimatedCompletion: completion };
  }

  /** Nothing was generated (refused, or Writer answered an error): only a reservation to release. */
  nothing(): Spent {
    return { prompt: 0, completion: 0, estimatedPrompt: 0, estimatedCompletion: 0 };
  }

  /** Settles once, whatever ends the request first (its answer's end, a disconnect, an error). */
  private done = false;
  settle(s: Spent = this.spent()): void {
    if (this.done) return;
    this.done = true;
    this.settled(s);
  }
}

/** One Server-Sent Event carrying a JSON object, as Writer sends them. */
export const sseEvent = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";
/** An event named `error`: Writer's clients throw an APIError with its body. */
export const sseError = (body: unknown) => `event: error\ndata: ${JSON.stringify(body)}\n\n`;

/**
 * Passes an SSE stream through event by event (only the current, unfinished event is held),
 * metering each event's data. `dropUsage`: the gateway asked Writer for the usage chunk the client
 * did not ask for, so it is taken out (an event that carries nothing else is dropped).
 * `error()` ends the stream with an error event that starts on an event boundary, whatever was
 * half-written before it.
 */
export class SseTap extends Transform {
  private partial = "";
  private midEvent = false;

  constructor(private readonly meter: Meter, private readonly dropUsage: boolean) {
    super();
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.partial + chunk.toString("utf8");
    let start = 0;
    let out = "";
    for (;;) {
      const end = text.indexOf("\n\n", start);
      if (end < 0) break;
      out += this.event(text.slice(start, end + 2));
      start = end + 2;
    }
    this.partial = text.slice(start);
    if (this.partial.length > 1 << 20) {
      // An event over 1 MiB is not ours to read: passed on as it is.
      out += this.partial;
      this.partial = "";
      this.midEvent = true;
    }
    done(null, out || undefined);
  }

  _flush(done: TransformCallback): void {
    if (this.partial) this.push(this.event(this.partial));
    this.partial = "";
    done();
  }

  /** One whole event: metered, and without the usage the client did not ask for. */
  private event(ev: string): string {
    this.midEvent = false;
    let data = "";
    for (const line of ev.split("\n")) if (line.startsWith("data:")) data += line.slice(line.startsWith("data: ") ? 6 : 5);
    if (!data || data === "[DONE]" || data[0] !== "{") return ev;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(data) as Record<string, unknown>;
    } catch {
      this.meter.readRaw(Buffer.byteLength(data));
      return ev;
    }
    this.meter.read(json);
    if (!this.dropUsage || !("usage" in json)) return ev;
    delete json.usage;
    if (Array.isArray(json.choices) && json.choices.length === 0) return "";
    return sseEvent(json);
  }

  /** Ends the stream with an error event (after the events that arrived whole), on a fresh event boundary. */
  error(body: unknown): void {
    if (this.writableEnded) return;
    // A held, unfinished event was never sent: dropping it leaves the client on a boundary.
    const head = this.midEvent ? "\n\n" : "";
    this.partial = "";
    this.midEvent = false;
    this.end(head + sseError(body));
  }
}
