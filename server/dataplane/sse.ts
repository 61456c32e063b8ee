import { Transform, type TransformCallback } from "node:stream";
import { Usage } from "../../api";

/** One Server-Sent Event carrying a JSON object, as Writer sends them. */
export const sseEvent = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";
/** An event named `error`: Writer's clients throw an APIError with its body. */
export const sseError = (body: unknown) => `event: error\ndata: ${JSON.stringify(body)}\n\n`;

export interface Tokens {
  prompt: number;
  completion: number;
}

/** Token counts from a `usage` object, if it is one. */
export function tokensOf(usage: unknown): Tokens | undefined {
  const u = Usage.safeParse(usage);
  if (!u.success || (u.data.prompt_tokens === undefined && u.data.completion_tokens === undefined && u.data.total_tokens === undefined)) return undefined;
  const prompt = u.data.prompt_tokens ?? 0;
  const completion = u.data.completion_tokens ?? Math.max(0, (u.data.total_tokens ?? 0) - prompt);
  return { prompt, completion };
}

/**
 * Passes an SSE stream through chunk by chunk, unchanged and unbuffered, while reading the
 * `usage` of its events (the last one that has it wins: Writer sends it in the final chunk).
 * Only the current, unfinished line is held.
 */
export class SseUsageTap extends Transform {
  usage: Tokens | undefined;
  private partial = "";

  _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.partial + chunk.toString("utf8");
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    if (this.partial.length > 1 << 20) this.partial = ""; // a line over 1 MiB is not ours to read
    for (const line of lines) this.read1(line);
    done(null, chunk);
  }

  _flush(done: TransformCallback): void {
    this.read1(this.partial);
    done();
  }

  private read1(line: string): void {
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (!data.includes('"usage"')) return;
    try {
      const t = tokensOf((JSON.parse(data) as { usage?: unknown }).usage);
      if (t) this.usage = t;
    } catch {
      /* not JSON: not a usage chunk */
    }
  }
}
