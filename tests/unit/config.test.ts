import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../provider/config";

describe("writer-local's token file is read only for a real loopback URL", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cfg-"));
  mkdirSync(join(cwd, ".writer-local"));
  writeFileSync(join(cwd, ".writer-local", "admin-token"), "writer_admin_local\n");
  const resolve = (baseUrl: string) => resolveConfig(undefined, { WRITER_BASE_URL: baseUrl }, cwd);

  test.each(["http://127.0.0.1:8787", "http://127.9.8.7:1", "http://localhost:8787", "http://[::1]:8787", "http://LOCALHOST:1/"])("%s reads the token file", (u) => {
    expect(resolve(u).adminToken).toBe("writer_admin_local");
  });
  test.each(["http://127.attacker.example:8787", "http://127.0.0.1.nip.io:8787", "http://localhost.attacker.example", "http://127.0.0.1@evil.example", "https://writer.example.com"])(
    "%s never gets the token file",
    (u) => {
      expect(() => resolve(u)).toThrow(/No Writer admin token/);
    },
  );
});

describe("config resolution", () => {
  const cfg = (m: Record<string, string>) => ({ get: (k: string) => m[k] });
  test("stack config wins over env", () => {
    const r = resolveConfig(cfg({ "writer:baseUrl": "http://h:1/", "writer:adminToken": "T1" }), { WRITER_BASE_URL: "http://e", WRITER_ADMIN_TOKEN: "T2" });
    expect(r).toMatchObject({ baseUrl: "http://h:1", adminToken: "T1" });
  });
  test("env is the fallback; a missing token says how to set it", () => {
    expect(resolveConfig(cfg({}), { WRITER_ADMIN_TOKEN: "T2" }).adminToken).toBe("T2");
    expect(() => resolveConfig(cfg({ "writer:baseUrl": "https://writer.example" }), {}, "/nonexistent")).toThrow(/pulumi config set --secret writer:adminToken/);
  });
  test("a bad URL names the setting", () => {
    expect(() => resolveConfig(cfg({ "writer:baseUrl": "not a url" }), {})).toThrow(/writer:baseUrl/);
  });
});
