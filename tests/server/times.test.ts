// Every field that takes a time refuses what is not a real instant (an out-of-range UTC offset,
// a year past 9999 once converted to UTC) with 400 naming the field, instead of dropping it.
import { useApp } from "../helpers/app";

const srv = useApp();
const BAD = ["2020-01-01T00:00:00+99:99", "2030-01-01T00:00:00+24:00", "2030-01-01T00:00:00+12:60", "9999-12-31T23:59:59-23:59", "2030-02-30T00:00:00Z"];

let agentId: string;
let keyId: string;
beforeAll(async () => {
  const a = await srv.api.post("/v1/admin/agents", { name: "times", capabilities: ["models"] });
  agentId = a.body.id;
  const k = await srv.api.post(`/v1/admin/agents/${agentId}/keys`, { name: "k", expires_at: "2031-01-01T00:00:00+02:00" });
  expect(k.status).toBe(201);
  keyId = k.body.id;
});

test.each(BAD)("create with expires_at %s is 400 naming expires_at", async (t) => {
  const r = await srv.api.post(`/v1/admin/agents/${agentId}/keys`, { name: "k2", expires_at: t });
  expect(r.status).toBe(400);
  expect(r.body.errors[0].extras.field).toBe("expires_at");
});

test.each(BAD)("patch with expires_at %s is 400 and keeps the expiry", async (t) => {
  const r = await srv.api.patch(`/v1/admin/agents/${agentId}/keys/${keyId}`, { expires_at: t });
  expect(r.status).toBe(400);
  expect(r.body.errors[0].extras.field).toBe("expires_at");
  const k = await srv.api.get(`/v1/admin/agents/${agentId}/keys/${keyId}`);
  expect(k.body.expires_at).toBe("2030-12-31T22:00:00.000Z");
});

test("a valid offset is normalised to UTC", async () => {
  const r = await srv.api.patch(`/v1/admin/agents/${agentId}/keys/${keyId}`, { expires_at: "2032-06-01T12:00:00-05:30" });
  expect(r.status).toBe(200);
  expect(r.body.expires_at).toBe("2032-06-01T17:30:00.000Z");
});
