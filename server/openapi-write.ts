// Regenerates api/openapi.json from the routes writer-local registers: `npm run openapi`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "./app";
import { openStore } from "./store";

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "writer-local-openapi-"));
  const app = await buildApp({ store: openStore(dir), adminToken: "writer_admin_openapi-generation-only", logLevel: "silent" });
  await app.ready();
  const out = join(__dirname, "..", "..", "api", "openapi.json");
  writeFileSync(out, JSON.stringify(app.swagger(), null, 2) + "\n");
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`wrote ${out}`);
}
void main();
