// Leak response (README "When a key leaks"): a report signed like GitHub's secret scanning
// partner programme (ECDSA P-256 over the raw body, keys generated here, in the test) revokes a
// live key before the answer; a bad signature changes nothing.
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminOf, admin, useLocalServer } from "../helpers/server";

const dir = mkdtempSync(join(tmpdir(), "writer-leaks-"));
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const { privateKey: strangerKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const keysFile = join(dir, "github-keys.json");
writeFileSync(keysFile, JSON.stringify({ public_keys: [{ key_identifier: "test-key-1", key: publicKey.export({ type: "spki", format: "pem" }), is_current: true }] }));

// The webhook a security team would be told on (loopback).
const notices: any[] = [];
const hook = createServer((req, res) => {
  let b = "";
  req.on("data", (d) => (b += d));
  req.on("end", () => {
    notices.push(JSON.parse(b));
    res.end();
  });
});
let hookUrl = "";
beforeAll(async () => {
  await new Promise<void>((ok) => hook.listen(0, "127.0.0.1", ok));
  hookUrl = `http://127.0.0.1:${(hook.address() as any).port}/leak`;
});
afterAll(() => hook.close());

const srv = useLocalServer({ extraArgs: ["--secret-scanning-keys", keysFile], env: { get WRITER_LOCAL_LEAK_WEBHOOK() { return hookUrl; } } as any });
const api = adminOf(srv);

async function liveKey() {
  const a = await api.post("/v1/admin/agents", { name: `leaky-${Math.random()}`, capabilities: ["models"] });
  expect(a.status).toBe(201);
  return { agent: a.body.id as string, key: a.body.default_key.id as string, secret: a.body.default_key.secret as string };
}

function report(tokens: string[], key = privateKey, id = "test-key-1") {
  const body = JSON.stringify(tokens.map((token) => ({ token, type: "writer_api_key", url: "https://github.com/acme/app/blob/abc/config.js", source: "content" })));
  const signature = sign("sha256", Buffer.from(body), { key, dsaEncoding: "der" }).toString("base64");
  return fetch(`${srv.url}/v1/admin/secret-scanning`, {
    method: "POST", body,
    headers: { "content-type": "application/json", "github-public-key-identifier": id, "github-public-key-signature": signature },
  });
}

test("a signed report of a live key revokes it before the answer, labels every token, audits and tells the webhook", async () => {
  const k = await liveKey();
  expect((await admin(srv.url, k.secret).get("/v1/models")).status).toBe(200);
  const t0 = Date.now();
  const res = await report([k.secret, "writer_sk_not-ours"]);
  const answered = Date.now() - t0;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual([
    { token_raw: k.secret, token_type: "writer_api_key", label: "true_positive" },
    { token_raw: "writer_sk_not-ours", token_type: "writer_api_key", label: "false_positive" },
  ]);
  // Revoked when the report is answered: the very next request with it is refused.
  expect((await admin(srv.url, k.secret).get("/v1/models")).status).toBe(401);
  expect(answered).toBeLessThan(1000);
  expect((await api.get(`/v1/admin/agents/${k.agent}/keys/${k.key}`)).status).toBe(404);
  const audit = (await api.get(`/v1/admin/audit?object_id=${k.key}`)).body.data as any[];
  expect(audit[0]).toMatchObject({ action: "key.leak_reported", source: "system", changes: { revoked: [false, true] }, outcome: "ok" });
  for (let i = 0; i < 50 && notices.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(notices).toEqual([expect.objectContaining({ event: "key.leak_reported", key_id: k.key, agent_id: k.agent, action: "revoked" })]);
  expect(JSON.stringify(notices)).not.toContain(k.secret);
  expect(srv.output()).not.toContain(k.secret);
  // Reported again (GitHub retries): still a true positive, nothing more to do.
  expect((await (await report([k.secret])).json())[0].label).toBe("true_positive");
});

test("a report signed by another key, by an unknown key id or with a changed body changes nothing (401)", async () => {
  const k = await liveKey();
  expect((await report([k.secret], strangerKey)).status).toBe(401);
  expect((await report([k.secret], privateKey, "unknown-id")).status).toBe(401);
  const body = JSON.stringify([{ token: "x", type: "writer_api_key" }]);
  const signature = sign("sha256", Buffer.from(body), { key: privateKey, dsaEncoding: "der" }).toString("base64");
  const tampered = await fetch(`${srv.url}/v1/admin/secret-scanning`, {
    method: "POST", body: JSON.stringify([{ token: k.secret, type: "writer_api_key" }]),
    headers: { "content-type": "application/json", "github-public-key-identifier": "test-key-1", "github-public-key-signature": signature },
  });
  expect(tampered.status).toBe(401);
  expect((await admin(srv.url, k.secret).get("/v1/models")).status).toBe(200);
});
