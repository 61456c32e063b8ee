// The contract as served is the contract as committed: api/openapi.json is generated from the routes
// writer-local registers (api/routes.ts), and every route of the table is in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_ROUTES } from "../../api";
import { useApp } from "../helpers/app";

const srv = useApp();

test("GET /openapi.json equals api/openapi.json (run `npm run openapi` after changing api/)", async () => {
  const served = (await srv.as(undefined).get("/openapi.json")).body;
  const committed = JSON.parse(readFileSync(join(__dirname, "..", "..", "api", "openapi.json"), "utf8"));
  expect(served).toEqual(committed);
});

test("every route of the table is documented, with its operation id, success status and error answers", async () => {
  const doc = (await srv.as(undefined).get("/openapi.json")).body;
  for (const [id, r] of Object.entries(ADMIN_ROUTES)) {
    const op = doc.paths[r.path]?.[r.method.toLowerCase()];
    expect([id, op?.operationId]).toEqual([id, id]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([String(r.status), "400", "401", "403", "405", "415", "422", "429"]));
    if (r.method === "POST") expect(op.parameters.map((p: any) => p.name)).toContain("idempotency-key");
  }
  // Only the admin API is documented: the data plane is Writer's own contract.
  expect(Object.keys(doc.paths).every((p) => p.startsWith("/v1/admin/"))).toBe(true);
});
