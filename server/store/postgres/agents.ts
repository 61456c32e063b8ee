import { randomUUID } from "node:crypto";
import type { Agent, PageQuery } from "../../../api";
import { NotFound } from "../errors";
import { normaliseCapabilities, toAgent, type AgentRow } from "../rows";
import type { Q } from "./db";
import { pgPage } from "./pagination";

export class PgAgents {
  async get(q: Q, id: string, lock = false): Promise<Agent> {
    // FOR UPDATE (on the table under the view) serialises read-modify-writes of one agent across replicas.
    const r = lock
      ? (await q.query<{ id: string }>("SELECT id FROM agents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", [id])).rows[0] &&
        (await q.query<AgentRow>("SELECT * FROM live_agents WHERE id = $1", [id])).rows[0]
      : (await q.query<AgentRow>("SELECT * FROM live_agents WHERE id = $1", [id])).rows[0];
    if (!r) throw new NotFound("agent", id, "id");
    return toAgent(r);
  }

  async create(q: Q, input: { name: string; description?: string; capabilities?: readonly string[] }): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await q.query("INSERT INTO agents (id, name, description, capabilities, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
      [id, input.name, input.description ?? "", JSON.stringify(normaliseCapabilities(input.capabilities ?? [])), now]);
    return id;
  }

  async patch(q: Q, id: string, p: { name?: string; description?: string; capabilities?: readonly string[] }): Promise<Agent> {
    const cur = await this.get(q, id, true);
    await q.query("UPDATE agents SET name = $1, description = $2, capabilities = $3, updated_at = $4 WHERE id = $5 AND deleted_at IS NULL",
      [p.name ?? cur.name, p.description ?? cur.description, JSON.stringify(normaliseCapabilities(p.capabilities ?? cur.capabilities)), Date.now(), id]);
    return this.get(q, id);
  }

  async delete(q: Q, id: string): Promise<void> {
    const now = Date.now();
    const r = await q.query("UPDATE agents SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL", [now, id]);
    if (r.rowCount !== 1) throw new NotFound("agent", id, "id");
  }

  list(q: Q, query: PageQuery) {
    return pgPage<AgentRow, Agent>(q, { from: "live_agents", where: "TRUE", cursorFrom: "agents", cursorWhere: "TRUE", params: [] }, query, toAgent);
  }
}
