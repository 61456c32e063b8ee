import Writer, { PermissionDeniedError, AuthenticationError } from "writer-sdk";
import { admin, useLocalServer, adminOf } from "../helpers/server";

const srv = useLocalServer();
const api = adminOf(srv);

describe("Writer's official TypeScript client against writer-local", () => {
  test("models.list() and chat.chat() parse; removing a capability makes the SDK throw 403", async () => {
    const a = (await api.post("/v1/admin/agents", { name: "sdk", capabilities: ["models", "chat"] })).body;
    const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "sdk key" })).body;
    const client = new Writer({ apiKey: k.secret, baseURL: srv.url, maxRetries: 0 });

    const models = await client.models.list();
    expect(models.models.map((m) => m.id)).toContain("palmyra-x5");
    expect(models.models.every((m) => typeof m.name === "string")).toBe(true);

    const chat = await client.chat.chat({ model: "palmyra-x5", messages: [{ role: "user", content: "Hello there" }] });
    expect(chat.object).toBe("chat.completion");
    expect(chat.model).toBe("palmyra-x5");
    expect(chat.choices[0].message.role).toBe("assistant");
    expect(chat.choices[0].message.content).toContain("Hello there");
    expect(chat.usage!.total_tokens).toBe(chat.usage!.prompt_tokens + chat.usage!.completion_tokens);
    expect(Math.abs(chat.created - Date.now() / 1000)).toBeLessThan(60);

    expect((await api.del(`/v1/admin/agents/${a.id}/capabilities/chat`)).status).toBe(200);
    const denied = client.chat.chat({ model: "palmyra-x5", messages: [{ role: "user", content: "again" }] });
    await expect(denied).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(denied).rejects.toMatchObject({ status: 403 });
    // models is still allowed.
    expect((await client.models.list()).models.length).toBeGreaterThan(0);

    await api.del(`/v1/admin/agents/${a.id}/keys/${k.id}`);
    await expect(client.models.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test("list endpoints parse as Writer cursor pages", async () => {
    const a = (await api.post("/v1/admin/agents", { name: "sdk lists", capabilities: ["knowledge_graph", "files", "applications"] })).body;
    const client = new Writer({ apiKey: a.default_key.secret, baseURL: srv.url, maxRetries: 0 });
    const made = await client.graphs.create({ name: "sdk graph" });
    const graphs = [];
    for await (const g of client.graphs.list()) graphs.push(g);
    expect(graphs.map((g) => g.id)).toEqual([made.id]);
    const uploaded = await client.files.upload({ content: Buffer.from("hello"), "Content-Type": "text/plain", "Content-Disposition": "attachment; filename=hello.txt" } as never);
    const files = await client.files.list();
    expect(files.data.map((f) => f.id)).toEqual([uploaded.id]);
    expect(files.data[0]).toMatchObject({ name: expect.any(String), status: expect.any(String) });
    const del = await client.files.delete(uploaded.id);
    expect(del).toEqual({ id: uploaded.id, deleted: true });
  });
});
