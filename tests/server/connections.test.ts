// Unauthenticated clients cannot hold connections open forever: a request must arrive whole within
// --request-timeout-ms, idle keep-alive sockets close, and --max-connections caps open sockets.
import { connect, type Socket } from "node:net";
import { startLocalServer, type LocalServer } from "../helpers/server";

jest.setTimeout(20_000);

let srv: LocalServer;
beforeAll(async () => {
  srv = await startLocalServer({ extraArgs: ["--request-timeout-ms", "1500", "--keep-alive-timeout-ms", "1000", "--max-connections", "20"] });
});
afterAll(() => srv.stop());

function open(): Promise<Socket> {
  const u = new URL(srv.url);
  return new Promise((ok, fail) => {
    const s = connect(Number(u.port), u.hostname, () => ok(s));
    s.on("error", fail);
  });
}
const closed = (s: Socket) => new Promise<number>((ok) => {
  const t0 = Date.now();
  s.resume(); // read what the server sends, so its close is seen
  s.on("close", () => ok(Date.now() - t0));
  s.on("error", () => undefined);
});

test("a body trickled one byte at a time is cut off after the request timeout", async () => {
  const s = await open();
  const done = closed(s);
  s.write("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
  const trickle = setInterval(() => s.writable && s.write(" "), 200);
  const ms = await Promise.race([done, new Promise<number>((ok) => setTimeout(() => ok(-1), 8000))]);
  clearInterval(trickle);
  s.destroy();
  expect(ms).toBeGreaterThan(0);
  expect(ms).toBeLessThan(5000);
});

test("an unauthenticated POST whose body trickles in (a byte every 0.7 s, under the keep-alive timeout) is closed once refused, before the request timeout", async () => {
  const s = await open();
  const done = closed(s);
  let answer = "";
  s.on("data", (d) => (answer += d));
  s.write("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
  const trickle = setInterval(() => s.writable && s.write(" "), 700); // more often than the keep-alive timeout
  const ms = await Promise.race([done, new Promise<number>((ok) => setTimeout(() => ok(-1), 9000))]);
  clearInterval(trickle);
  s.destroy();
  expect(answer).toMatch(/^HTTP\/1.1 401/);
  expect(answer).toMatch(/\r\nconnection: close\r\n/i);
  // Closed right after the answer, not left to the request timeout (1.5 s).
  expect(ms).toBeGreaterThan(0);
  expect(ms).toBeLessThan(1200);
});

test("an idle keep-alive socket is closed", async () => {
  const s = await open();
  const done = closed(s);
  s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const ms = await Promise.race([done, new Promise<number>((ok) => setTimeout(() => ok(-1), 6000))]);
  s.destroy();
  expect(ms).toBeGreaterThan(0);
});

test("connections past --max-connections are refused while the first ones stay usable", async () => {
  const held: Socket[] = [];
  for (let i = 0; i < 20; i++) held.push(await open());
  const extra = await open().catch(() => undefined);
  if (extra) {
    const ms = await Promise.race([closed(extra), new Promise<number>((ok) => setTimeout(() => ok(-1), 3000))]);
    expect(ms).toBeGreaterThanOrEqual(0);
  }
  for (const s of held) s.destroy();
  await new Promise((ok) => setTimeout(ok, 200));
  expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
});
