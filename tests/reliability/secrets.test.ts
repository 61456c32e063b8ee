// No plaintext secret anywhere it could leak: a full lifecycle (create, rotate, refresh, adopt-free
// admin creates and regenerates, destroy) with the engine at -v=9 and the server at trace level,
// then every issued secret is searched for in the state exports, the backend's checkpoints and
// history, the engine's verbose logs, the server's logs and its database files. The secrets'
// recognisable prefix also lets the scan cover every other reliability stack and server data dir.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";
import { ProjectStack, ROOT } from "../helpers/pulumi";

jest.setTimeout(300_000);

let srv: LocalServer;
beforeAll(async () => {
  srv = await startLocalServer({ extraArgs: ["--log-level", "trace"] });
});
afterAll(() => srv.stop());

function readIfPresent(f: string): string {
  try {
    return readFileSync(f, "latin1");
  } catch (e: any) {
    if (e.code === "ENOENT") return "";
    throw e;
  }
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return [];
    return st.isDirectory() ? (f === "node_modules" ? [] : files(p)) : [p];
  });
}
const SECRET = /writer_sk_[A-Za-z0-9_-]{30,}/; // not global: .test() on a global regex carries lastIndex from one file to the next
const prog = (trigger: string) => `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id, rotationTriggers: { v: "${trigger}" }, gracePeriodSeconds: 60 });
const b = new writer.ApiAgent("bare", {});
new writer.AgentCapability("cap", { agentId: b.id, capability: "chat" });
export const secret = k.secret;
export const agentDefault = a.defaultKeySecret;
export const bareDefault = b.defaultKeySecret;
`;

test("every issued secret: zero plaintext hits in state, checkpoints, history, server trace logs, database files and engine -v=9 logs (outside upstream RPC dumps, counted apart)", async () => {
  const issued = new Set<string>();
  const logs: string[] = [];
  const p = new ProjectStack("secrets", prog("1"));
  await p.init("test", { "writer:baseUrl": srv.url }, { "writer:adminToken": srv.adminToken });
  const V = ["-v=9", "--logtostderr", "--logflow"];
  const run = async (args: string[]) => {
    const r = await p.run([...args, ...V]);
    logs.push(r.stdout, r.stderr);
  };
  const collect = async () => {
    const o = await p.outputs(true);
    for (const v of [o.secret, o.agentDefault, o.bareDefault]) if (v) issued.add(v);
  };
  await run(["up", "--yes", "--skip-preview"]);
  await collect();
  p.setProgram(prog("2")); // rotation in place: a new secret, the old one in grace
  await run(["up", "--yes"]);
  await collect();
  await run(["refresh", "--yes", "--skip-preview"]);
  await run(["preview", "--diff"]);
  const exportPlain = (await p.exportState(false)).raw;
  // The scan looks for the right strings: the current secret is in the decrypted export.
  expect((await p.exportState(true)).raw).toContain((await p.outputs(true)).secret);

  // Secrets issued straight through the admin API too (create, regenerate with grace).
  const api = admin(srv.url, srv.adminToken);
  const ag = (await api.post("/v1/admin/agents", { name: "scan", capabilities: ["models"] })).body;
  issued.add(ag.default_key.secret);
  const k = (await api.post(`/v1/admin/agents/${ag.id}/keys`, { name: "scan" }, { "Idempotency-Key": "scan-1" })).body;
  issued.add(k.secret);
  issued.add((await api.post(`/v1/admin/agents/${ag.id}/keys/${k.id}/regenerate`, { grace_period_seconds: 30 })).body.secret);
  for (const s of issued) await admin(srv.url, s).get("/v1/models"); // used on the data plane, so logged as requests
  await run(["destroy", "--yes", "--skip-preview"]);
  expect(issued.size).toBeGreaterThanOrEqual(7);

  // Known upstream limitation, measured here and reported: with -v >= 3 the Pulumi Node SDK logs
  // whole RegisterResource/ReadResource responses ("... RPC finished: ... resp: ..."), and at -v=9
  // the engine logs RPC property values ("Marshaling/Unmarshaling property for RPC"), secrets in
  // plaintext included. Those lines are counted apart; any other line with a secret is a leak.
  const UPSTREAM = /(RegisterResource|ReadResource) RPC finished|(Marshaling|Unmarshaling) property for RPC/;
  const engineLines = logs.join("\n").split("\n");
  const upstream = engineLines.filter((l) => UPSTREAM.test(l)).join("\n");
  const haystacks: [string, string][] = [
    ["stack export", exportPlain],
    ["engine logs (all but the upstream RPC dumps)", engineLines.filter((l) => !UPSTREAM.test(l)).join("\n")],
    ["server logs", srv.output()],
    ...files(p.dir).map((f) => [f, readFileSync(f, "latin1")] as [string, string]),
    ...files(srv.dataDir).map((f) => [f, readFileSync(f, "latin1")] as [string, string]),
  ];
  expect(haystacks.some(([f]) => f.endsWith(".db"))).toBe(true);
  expect(haystacks.some(([f]) => f.includes(".pulumi/history"))).toBe(true);
  expect(logs.join("").length).toBeGreaterThan(100_000); // the engine really logged verbosely
  const hits: string[] = [];
  for (const s of issued) {
    const middle = s.slice(12, 36); // a fragment, to catch partial or re-encoded leaks too
    for (const [where, text] of haystacks) if (text.includes(s) || text.includes(middle)) hits.push(`${s.slice(0, 14)}… in ${where}`);
  }
  expect(hits).toEqual([]);
  const upstreamHits = [...issued].filter((s) => upstream.includes(s)).length;
  require("node:fs").writeFileSync(join(ROOT, ".tmp", "secrets-scan-report.json"), JSON.stringify({ issued: issued.size, haystacks: haystacks.length, upstreamVerboseLogHits: upstreamHits }, null, 2));
});

test("no plaintext secret in any reliability stack's checkpoints/history or any writer-local data dir", () => {
  const stacks = readdirSync(join(ROOT, ".tmp"))
    .filter((d) => /^(faults|srvkill|engkill|badinput|secrets)-/.test(d))
    .flatMap((d) => files(join(ROOT, ".tmp", d, ".state")));
  const dbs = readdirSync(tmpdir())
    .filter((d) => d.startsWith("writer-local-"))
    .flatMap((d) => files(join(tmpdir(), d)));
  // Other suites run alongside: a lock file or temporary directory may vanish between listing and
  // reading, and a file that no longer exists holds nothing to leak.
  const hits = [...stacks, ...dbs].filter((f) => SECRET.test(readIfPresent(f)));
  expect(stacks.length).toBeGreaterThan(0);
  expect(dbs.length).toBeGreaterThan(0);
  expect(hits).toEqual([]);
});
