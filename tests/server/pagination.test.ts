// Cursor pagination keeps working when the cursor object is deleted between pages.
import { useApp } from "../helpers/app";

const srv = useApp();

test("after= a key revoked since the last page goes on from where it was", async () => {
  const a = await srv.api.post("/v1/admin/agents", { name: "paging" });
  const id = a.body.id;
  for (const n of ["k1", "k2", "k3"]) expect((await srv.api.post(`/v1/admin/agents/${id}/keys`, { name: n })).status).toBe(201);
  const p1 = await srv.api.get(`/v1/admin/agents/${id}/keys?limit=2&order=asc`);
  expect(p1.body.data.map((k: any) => k.name)).toEqual(["Production", "k1"]);
  expect((await srv.api.del(`/v1/admin/agents/${id}/keys/${p1.body.last_id}`)).status).toBe(204);
  const p2 = await srv.api.get(`/v1/admin/agents/${id}/keys?limit=2&order=asc&after=${p1.body.last_id}`);
  expect(p2.status).toBe(200);
  expect(p2.body.data.map((k: any) => k.name)).toEqual(["k2", "k3"]);
  const back = await srv.api.get(`/v1/admin/agents/${id}/keys?limit=2&order=asc&before=${p1.body.last_id}`);
  expect(back.body.data.map((k: any) => k.name)).toEqual(["Production"]);
});

test("after= a deleted agent goes on from where it was", async () => {
  const ids: string[] = [];
  for (const n of ["a1", "a2", "a3"]) ids.push((await srv.api.post("/v1/admin/agents", { name: n })).body.id);
  expect((await srv.api.del(`/v1/admin/agents/${ids[1]}`)).status).toBe(204);
  const r = await srv.api.get(`/v1/admin/agents?order=asc&after=${ids[1]}`);
  expect(r.status).toBe(200);
  expect(r.body.data.map((a: any) => a.id)).toContain(ids[2]);
  expect(r.body.data.map((a: any) => a.id)).not.toContain(ids[0]);
});

// A well-formed id that names no object of the list is a fact of the store, not of the request's
// shape: 422, as for an unknown team (400 is kept for what the document's schemas refuse).
test("a cursor that never belonged to the list is 422 naming it; after with before too", async () => {
  const r = await srv.api.get(`/v1/admin/agents?after=00000000-0000-4000-8000-000000000000`);
  expect(r.status).toBe(422);
  expect(r.body.errors[0].extras.field).toBe("after");
  const both = await srv.api.get(`/v1/admin/agents?after=00000000-0000-4000-8000-000000000000&before=00000000-0000-4000-8000-000000000000`);
  expect([both.status, both.body.errors[0].extras.field]).toEqual([422, "before"]);
});
