// A programmable stand-in for Writer's API on loopback, for the gateway's fault and streaming tests:
// it records every request it gets (so a test can prove refused calls never arrive) and answers as
// the test says: JSON, a slow SSE stream, a 5xx, a hang, a dropped connection.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface FakeUpstream {
  url: string;
  seen: Seen[];
  /** What the next requests get (default: 200 {"ok":true}). */
  behave(b: Behaviour): void;
  /** Resolves when a streamed answer's connection was closed by the other side. */
  streamClosed(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  let behaviour: Behaviour = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  let closedStreams = 0;
  let waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.on("close", () => {
        if (!res.writableFinished) {
          closedStreams++;
          waiters.forEach((w) => w());
          waiters = [];
        }
      });
      behaviour(req, res, body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    behave: (b) => (behaviour = b),
    streamClosed: () => (closedStreams > 0 ? Promise.resolve() : new Promise((ok) => waiters.push(ok))),
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/** An SSE answer that sends one chat chunk every `everyMs` until the client goes away (or `count` chunks). */
export function slowStream(everyMs: number, count = Infinity): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    let i = 0;
    const t = setInterval(() => {
      if (res.destroyed) return clearInterval(t);
      if (i++ >= count) {
        clearInterval(t);
        res.write(`data: ${JSON.stringify({ id: "s", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 3, completion_tokens: count, total_tokens: 3 + count } })}\n\n`);
        return res.end("data: [DONE]\n\n");
      }
      res.write(`data: ${JSON.stringify({ id: "s", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`);
    }, everyMs);
    res.on("close", () => clearInterval(t));
  };
}
