// engine: sqlite (it reads SQLite's own file, pragmas or data dir)
// The data dir is the owner's alone: 0700, every file in it 0600, also when the dir already existed.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalServer } from "../helpers/server";

const mode = (p: string) => statSync(p).mode & 0o777;

test("data dir 0700 and its files 0600, an existing 0755 dir tightened", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "wl-modes-")), "data");
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const srv = await startLocalServer({ dataDir: dir });
  try {
    const a = await fetch(`${srv.url}/v1/admin/agents`, {
      method: "POST", headers: { authorization: `Bearer ${srv.adminToken}`, "content-type": "application/json" }, body: '{"name":"m"}',
    });
    expect(a.status).toBe(201);
    expect(mode(dir)).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(["writer-local.db", "writer-local.db-wal", "pepper", "admin-token"]));
    for (const f of files) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
  } finally {
    await srv.stop();
  }
});

test("--admin-token on the command line warns that it shows in the process list", async () => {
  const srv = await startLocalServer({ adminToken: "writer_admin_from-the-flag" });
  try {
    expect(srv.output()).toMatch(/--admin-token.*process list.*WRITER_ADMIN_TOKEN/);
  } finally {
    await srv.stop();
  }
});
