// A minimal HTTP load balancer for the replica tests: round robin over writer-local replicas; a
// request whose replica refuses the connection (it died) goes to the next one, like a load
// balancer's passive health check; an error after the request was sent answers 502 (the
// client retries it, with its Idempotency-Key). Bodies are small (admin JSON), so they are buffered.
import { request, createServer, type Server } from "node:http";

export interface Balancer {
  url: string;
  /** Requests each backend answered. */
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startBalancer(backends: () => string[]): Promise<Balancer> {
  let next = 0;
  const served = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const list = backends();
      const attempt = (tries: number) => {
        if (tries >= list.length) {
          res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
          return res.end(JSON.stringify({ tpe: "ServiceUnavailable", errors: [{ key: "fail.serviceUnavailable.temporary", description: "no replica is up" }] }));
        }
        const target = new URL(list[next++ % list.length]);
        let sent = false;
        const up = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (r) => {
            served.set(target.origin, (served.get(target.origin) ?? 0) + 1);
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
            r.on("error", () => res.destroy());
          },
        );
        // A new connection counts as "sent" once connected; a reused kept-alive one already was.
        up.on("socket", (s) => {
          if (s.connecting) s.once("connect", () => (sent = true));
          else sent = true;
        });
        up.on("error", () => {
          if (res.headersSent) return res.destroy();
          if (!sent) return attempt(tries + 1);
          res.writeHead(502, { "content-type": "application/json" });
          res.end(JSON.stringify({ tpe: "BadGateway", errors: [{ key: "fail.badGateway.upstream", description: "the replica dropped the request" }] }));
        });
        up.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
