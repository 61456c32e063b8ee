import { CAPABILITY_IDS, type Capability, generateSecret } from "../../api";
import { CANNED_APPLICATIONS } from "../../server/dataplane/canned";
import { directoryOf } from "../helpers/server";
import { apiOf, useApp } from "../helpers/app";

const srv = useApp();
const api = apiOf(srv);
let teams: Record<string, string>;
let users: Record<string, string>;

beforeAll(async () => {
  ({ teams, userIds: users } = await directoryOf(api));
});

/** An id no object of the caller's has. */
const ID = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";
/** An application of the organisation's (applications are made in AI Studio). */
const APP = CANNED_APPLICATIONS[0].id;
/** One representative endpoint per capability, with the status Writer documents for it. */
const REPRESENTATIVE: Record<Capability, { method: string; path: string; body?: unknown; status: number; check: (b: any) => void }> = {
  chat: { method: "POST", path: "/v1/chat", body: { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] }, status: 200,
    check: (b) => expect(b).toMatchObject({ object: "chat.completion", model: "palmyra-x5", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant" } }] }) },
  completions: { method: "POST", path: "/v1/completions", body: { model: "palmyra-x5", prompt: "Once" }, status: 200,
    check: (b) => expect(typeof b.choices[0].text).toBe("string") },
  models: { method: "GET", path: "/v1/models", status: 200, check: (b) => expect(b.models.map((m: any) => m.id)).toContain("palmyra-x5") },
  knowledge_graph: { method: "POST", path: "/v1/graphs", body: { name: "g" }, status: 200, check: (b) => expect(b).toMatchObject({ id: expect.any(String), name: "g" }) },
  files: { method: "GET", path: "/v1/files", status: 200, check: (b) => expect(b).toMatchObject({ has_more: false, data: [] }) },
  applications: { method: "POST", path: `/v1/applications/${APP}/jobs`, body: { inputs: [] }, status: 202, check: (b) => expect(b).toMatchObject({ status: "in_progress" }) },
  // The capability opens the endpoint; the file is not this agent's, so it does not exist for it.
  tools_pdf_parser: { method: "POST", path: `/v1/tools/pdf-parser/${ID}`, body: { format: "text" }, status: 404, check: (b) => expect(b.errors[0]).toMatchObject({ key: "fail.notFound.resource", extras: { field: "file_id" } }) },
  tools_web_search: { method: "POST", path: "/v1/tools/web-search", body: { query: "q" }, status: 200, check: (b) => expect(b.query).toBe("q") },
  vision: { method: "POST", path: "/v1/vision", body: { model: "palmyra-vision", prompt: "p", variables: [] }, status: 200, check: (b) => expect(typeof b.data).toBe("string") },
  translation: { method: "POST", path: "/v1/translation", body: { model: "palmyra-translate", text: "hola", source_language_code: "es", target_language_code: "en" }, status: 200, check: (b) => expect(b.data).toContain("hola") },
};

/** One body that every data-plane endpoint accepts (each reads its own fields: the schemas are loose objects), naming the caller's own objects. */
const anyBody = (o: { file: string; graph: string }) => ({
  model: "palmyra-x5", messages: [{ role: "user", content: "x" }], prompt: "x", question: "x", query: "x", text: "x",
  source_language_code: "es", target_language_code: "en", variables: [{ name: "v", file_id: o.file }], inputs: [],
  graph_ids: [o.graph], file_ids: [o.file], file_id: o.file, format: "text",
});

const call = (secret: string | undefined, c: Capability, headers?: Record<string, string>) => {
  const e = REPRESENTATIVE[c];
  return srv.as(secret).call(e.method, e.path, e.body, headers);
};
const agent = async (capabilities: Capability[]) => (await api.post("/v1/admin/agents", { name: "dp", capabilities })).body;

describe("capability x endpoint", () => {
  test.each([...CAPABILITY_IDS])("%s: allowed only with the capability", async (cap) => {
    const withIt = await agent([cap]);
    const r = await call(withIt.default_key.secret, cap);
    expect(r.status).toBe(REPRESENTATIVE[cap].status);
    REPRESENTATIVE[cap].check(r.body);
    const others = CAPABILITY_IDS.filter((c) => c !== cap);
    const without = await agent(others);
    const f = await call(without.default_key.secret, cap);
    expect(f.status).toBe(403);
    expect(f.body.errors[0].key).toBe("fail.forbidden.insufficientAccessRights");
  });

  test("every endpoint of the catalog answers for a key with every capability", async () => {
    const a = await agent([...CAPABILITY_IDS]);
    const c0 = srv.as(a.default_key.secret);
    // The objects the by-id endpoints name are this agent's own (made through the data plane).
    const owned = {
      file: (await c0.call("POST", "/v1/files", "hello", { "content-type": "text/plain" })).body.id as string,
      graph: (await c0.post("/v1/graphs", { name: "g" })).body.id as string,
      job: (await c0.post(`/v1/applications/${APP}/jobs`, { inputs: [] })).body.id as string,
    };
    const ids: Record<string, string> = { file_id: owned.file, graph_id: owned.graph, job_id: owned.job, application_id: APP };
    const caps = (await api.get("/v1/admin/capabilities")).body.data;
    // Deletes last: the stand-in answers like Writer, and a deleted graph is gone.
    const endpoints = (caps as { endpoints: string[] }[]).flatMap((c) => c.endpoints).sort((x, y) => Number(x.startsWith("DELETE")) - Number(y.startsWith("DELETE")) || (x.startsWith("DELETE") ? y.length - x.length : 0));
    {
      for (const ep of endpoints) {
        const [method, tmpl] = ep.split(" ");
        const path = tmpl.replace(/\{(\w+)\}/g, (_m: string, n: string) => ids[n]);
        const body = method === "GET" || method === "DELETE" ? undefined
          : anyBody(owned);
        const r = await srv.as(a.default_key.secret).call(method, path, body);
        expect([ep, [200, 202].includes(r.status) ? "ok" : r.status]).toEqual([ep, "ok"]);
      }
    }
  });
});

describe("key states", () => {
  test("active, disabled, re-enabled: decisions hold from the very next request; last_used_at set", async () => {
    const a = await agent(["models"]);
    const kp = `/v1/admin/agents/${a.id}/keys/${a.default_key.id}`;
    expect((await call(a.default_key.secret, "models")).status).toBe(200);
    expect((await api.get(kp)).body.last_used_at).not.toBeNull();
    await api.patch(kp, { status: "disabled" });
    const d = await call(a.default_key.secret, "models");
    expect(d.status).toBe(401);
    expect(d.body.errors[0].key).toBe("fail.unauthorized.badToken");
    await api.patch(kp, { status: "active" });
    expect((await call(a.default_key.secret, "models")).status).toBe(200);
    await api.del(`/v1/admin/agents/${a.id}/capabilities/models`);
    expect((await call(a.default_key.secret, "models")).status).toBe(403);
  });

  test("revoked and expired keys: 401", async () => {
    const a = await agent(["models"]);
    const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "r" })).body;
    await api.del(`/v1/admin/agents/${a.id}/keys/${k.id}`);
    expect((await call(k.secret, "models")).status).toBe(401);
    const e = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "e", expires_at: new Date(Date.now() - 1000).toISOString() })).body;
    expect((await call(e.secret, "models")).status).toBe(401);
    const soon = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "s", expires_at: new Date(Date.now() + 60000).toISOString() })).body;
    expect((await call(soon.secret, "models")).status).toBe(200);
    await api.patch(`/v1/admin/agents/${a.id}/keys/${soon.id}`, { expires_at: new Date(Date.now() - 1).toISOString() });
    expect((await call(soon.secret, "models")).status).toBe(401);
  });

  test("regenerated: old secret within grace works, past grace 401 (grace 1 s)", async () => {
    const a = await agent(["models"]);
    const old = a.default_key.secret;
    const r = await api.post(`/v1/admin/agents/${a.id}/keys/${a.default_key.id}/regenerate`, { grace_period_seconds: 1 });
    expect((await call(old, "models")).status).toBe(200);
    expect((await call(r.body.secret, "models")).status).toBe(200);
    await new Promise((ok) => setTimeout(ok, Date.parse(r.body.previous_secret_expires_at) - Date.now() + 50));
    expect((await call(old, "models")).status).toBe(401);
    expect((await call(r.body.secret, "models")).status).toBe(200);
  });

  test("team-scoped key: its own team or no header 200, another team 403", async () => {
    const a = await agent(["models"]);
    const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "t", scope: "team", team_id: teams.Sales, owner_id: users["sales-lead@example.com"] })).body;
    expect((await call(k.secret, "models")).status).toBe(200);
    expect((await call(k.secret, "models", { "x-writer-team-id": teams.Sales })).status).toBe(200);
    const w = await call(k.secret, "models", { "x-writer-team-id": teams.Support });
    expect(w.status).toBe(403);
    expect(w.body.errors[0].key).toBe("fail.forbidden.insufficientAccessRights");
    // An all-teams key may name any team.
    expect((await call(a.default_key.secret, "models", { "x-writer-team-id": teams.Support })).status).toBe(200);
  });

  test("missing, malformed, well-formed-but-unknown and admin tokens: 401", async () => {
    for (const t of [undefined, "garbage", generateSecret(), generateSecret().slice(0, -1) + "0", srv.adminToken]) {
      const r = await call(t, "models");
      expect(r.status).toBe(401);
      expect(r.body.errors[0].key).toBe("fail.unauthorized.badToken");
    }
  });

  test("chat validates model and messages (400 naming the field)", async () => {
    const a = await agent(["chat"]);
    const c = srv.as(a.default_key.secret);
    const m = await c.post("/v1/chat", { messages: [{ role: "user", content: "x" }] });
    expect(m.status).toBe(400);
    expect(m.body.errors[0].extras.field).toBe("model");
    const n = await c.post("/v1/chat", { model: "palmyra-x5" });
    expect(n.status).toBe(400);
    expect(n.body.errors[0].extras.field).toBe("messages");
  });
});
