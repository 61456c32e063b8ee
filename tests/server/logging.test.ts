// No secret-shaped string reaches a log line: not from a header, a query string or a path.
import { generateSecret } from "../../api";
import Fastify from "fastify";
import { request } from "node:http";
import { Writable } from "node:stream";
import { HttpError } from "../../server/errors";
import { errorHandlerPlugin } from "../../server/plugins/errors";
import { useApp } from "../helpers/app";

const srv = useApp();

test("secrets in query strings and paths are not logged", async () => {
  const s = generateSecret();
  await srv.as(undefined).get(`/v1/models?api_key=${s}`);
  await srv.as(undefined).get(`/v1/files/${s}`);
  await srv.as(s).get("/v1/models");
  await srv.api.get(`/v1/admin/agents?token=${srv.adminToken}`);
  const logs = srv.logs();
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).toContain("/v1/models");
  expect(logs).not.toContain(s);
  expect(logs).not.toContain(srv.adminToken);
  expect(logs).not.toMatch(/writer_sk_[A-Za-z0-9_-]{20,}/);
});

test("an error after the client went away is still logged at error level, unless it is the client's going", async () => {
  let logs = "";
  const app = Fastify({ logger: { level: "info", stream: new Writable({ write: (c, _e, done) => ((logs += c), done()) }) } });
  await app.register(errorHandlerPlugin);
  const afterGone = (reply: { raw: NodeJS.EventEmitter }) => new Promise((ok) => reply.raw.on("close", () => setTimeout(ok, 10)));
  app.get("/bug", async (_req, reply) => {
    await afterGone(reply);
    throw new TypeError("a bug");
  });
  app.get("/store", async (_req, reply) => {
    await afterGone(reply);
    throw Object.assign(new Error("SQLITE_CORRUPT: database disk image is malformed"), { code: "SQLITE_CORRUPT" });
  });
  app.get("/504", async (_req, reply) => {
    await afterGone(reply);
    throw new HttpError(504, "Writer's API did not answer in time");
  });
  app.get("/gone", async (_req, reply) => {
    await afterGone(reply);
    throw Object.assign(new Error("the client went away"), { code: "UND_ERR_ABORTED" });
  });
  const u = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
  for (const path of ["/bug", "/store", "/504", "/gone"]) {
    const rq = request({ host: u.hostname, port: u.port, path });
    rq.on("error", () => undefined);
    rq.end();
    setTimeout(() => rq.destroy(), 30);
  }
  await new Promise((ok) => setTimeout(ok, 400));
  await app.close();
  const loud = logs.trim().split("\n").map((l) => JSON.parse(l)).filter((j) => j.level >= 40);
  const urls = (level: number) => loud.filter((j) => j.level === level).map((j) => j.reqId).length;
  expect(urls(50)).toBe(2); // the bug and the store error
  expect(urls(40)).toBe(1); // the 504 (5xx HttpErrors are warnings)
  expect(loud.some((j) => JSON.stringify(j).includes("UND_ERR_ABORTED"))).toBe(false);
});
