// engine: sqlite (it scans SQLite's own file and WAL for plaintext)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

let srv: LocalServer;
afterAll(() => srv?.stop());

describe("secrets at rest", () => {
  test("no plaintext secret or admin token in the SQLite file, its WAL, or the logs", async () => {
    srv = await startLocalServer();
    const api = admin(srv.url, srv.adminToken);
    const secrets: string[] = [];
    const a = (await api.post("/v1/admin/agents", { name: "scan", capabilities: ["models"] }, { "idempotency-key": "scan-1" })).body;
    secrets.push(a.default_key.secret);
    for (let i = 0; i < 5; i++) {
      const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: `k${i}` }, { "idempotency-key": `scan-key-${i}` })).body;
      secrets.push(k.secret);
      const r = (await api.post(`/v1/admin/agents/${a.id}/keys/${k.id}/regenerate`, { grace_period_seconds: 60 }, { "idempotency-key": `scan-rot-${i}` })).body;
      secrets.push(r.secret);
      await admin(srv.url, r.secret).get("/v1/models");
      await admin(srv.url, k.secret).get("/v1/models");
    }
    // The replay really came from the store (so the sealed copy is in the files being scanned).
    const replay = await api.post("/v1/admin/agents", { name: "scan", capabilities: ["models"] }, { "idempotency-key": "scan-1" });
    expect(replay.body.default_key.secret).toBe(a.default_key.secret);

    const files = readdirSync(srv.dataDir).filter((f) => f.startsWith("writer-local.db"));
    expect(files).toEqual(expect.arrayContaining(["writer-local.db", "writer-local.db-wal"]));
    const blobs = files.map((f) => readFileSync(join(srv.dataDir, f)));
    const logs = srv.output();
    expect(logs).toContain("request completed"); // the logs really are being captured
    const needles = [...secrets, srv.adminToken];
    for (const n of needles) {
      // The random part alone is enough to flag a leak, in any encoding that a DB page would hold.
      const body = n.replace(/^writer_(sk|admin)_/, "").slice(0, 32);
      for (const b of blobs) {
        expect(b.includes(Buffer.from(body, "utf8"))).toBe(false);
        expect(b.includes(Buffer.from(body, "utf16le"))).toBe(false);
      }
      expect(logs.includes(body)).toBe(false);
    }
    // Idempotency keys derive the response cipher key, so they are not stored either.
    for (const b of blobs) expect(b.includes(Buffer.from("scan-key-1"))).toBe(false);
    // The masked form is what the DB keeps.
    expect(blobs.some((b) => b.includes(Buffer.from(a.default_key.secret.slice(-4))))).toBe(true);
  });
});
