// SIGTERM while streams are in flight: they get --drain-ms to finish; the ones still running then
// end with an `event: error` on an event boundary (Writer's clients throw an APIError instead of
// reading a cut stream as a short answer), and what every stream spent is recorded.
import { request } from "node:http";
import { admin, startLocalServer } from "../helpers/server";

jest.setTimeout(60_000);

/** A chat stream; resolves with everything it received once the connection ends. */
function stream(url: string, secret: string, maxTokens: number, onFirst?: () => void): Promise<string> {
  return new Promise((ok) => {
    const u = new URL(url + "/v1/chat");
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d) => {
        if (!text) onFirst?.();
        text += d;
      });
      res.on("end", () => ok(text));
      res.on("error", () => ok(text));
      res.on("close", () => ok(text));
    });
    req.on("error", () => ok(""));
    req.end(JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "go" }], max_tokens: maxTokens, stream: true }));
  });
}

test("SIGTERM drains streams for --drain-ms, then ends the rest with an error event; their usage is recorded", async () => {
  const srv = await startLocalServer({ extraArgs: ["--canned-chunk-interval-ms", "20", "--drain-ms", "1500"] });
  const api = admin(srv.url, srv.adminToken);
  const a = (await api.post("/v1/admin/agents", { name: "drain", capabilities: ["chat"] })).body;
  let started!: () => void;
  const first = new Promise<void>((ok) => (started = ok));
  const short = stream(srv.url, a.default_key.secret, 20); // 0.4 s: ends within the drain
  const long = stream(srv.url, a.default_key.secret, 1000, started); // 20 s: cut by it
  await first;
  const t0 = Date.now();
  const exited = srv.stop("SIGTERM");
  const [s, l] = await Promise.all([short, long]);
  expect(await exited).toBe(0);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  expect(s.trimEnd().endsWith("data: [DONE]")).toBe(true);
  expect(l).not.toContain("[DONE]");
  expect(l).toMatch(/\n\nevent: error\ndata: \{"tpe":"ServiceUnavailable"/);
  expect(l.endsWith("\n\n")).toBe(true);
  const words = (l.match(/"delta"/g) ?? []).length;
  expect(words).toBeGreaterThan(20);
  // What both streams spent is in the usage after a restart on the same data dir.
  await srv.restart();
  const u = await admin(srv.url, srv.adminToken).get(`/v1/admin/agents/${a.id}/usage`);
  expect(u.body.totals.requests).toBe(2);
  expect(u.body.totals.completion_tokens).toBeGreaterThanOrEqual(20 + words - 1);
  await srv.stop();
});
