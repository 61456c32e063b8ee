// No secret-shaped string reaches a log line: not from a header, a query string or a path.
import { generateSecret } from "../../api";
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
