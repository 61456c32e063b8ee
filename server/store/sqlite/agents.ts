import { randomUUID } from "node:crypto";
import type { Agent, PageQuery } from "../../../api";
import { normaliseCapabilities, toAgent, type AgentRow } from "../rows";
import { NotFound } from "../errors";
import type { DB } from "./db";
import type { Pager } from "./pagination";

export { normaliseCapabilities } from "../rows";

export class Agents {
  private byId; private insert; private update; private markDeleted;
  constructor(db: DB, private pager: Pager) {
    this.byId = db.prepare("SELECT * FROM live_agents WHERE id = ?");
    this.insert = db.prepare("INSERT INTO agents (id, name, description, capabilities, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
    this.update = db.prepare("UPDATE agents SET name = ?, description = ?, capabilities = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL");
    this.markDeleted = db.prepare("UPDATE agents SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL");
  }

  get(id: string): Agent {
    const r = this.byId.get(id) as AgentRow | undefined;
    if (!r) throw new NotFound("agent", id, "id");
    return toAgent(r);
  }

  /** Call inside a transaction. */
  create(input: { name: string; description?: string; capabilities?: readonly string[] }): string {
    const id = randomUUID();
    const now = Date.now();
    this.insert.run(id, input.name, input.description ?? "", JSON.stringify(normaliseCapabilities(input.capabilities ?? [])), now, now);
    return id;
  }

  /** Call inside a transaction. */
  patch(id: string, p: { name?: string; description?: string; capabilities?: readonly string[] }): Agent {
    const cur = this.get(id);
    this.update.run(p.name ?? cur.name, p.description ?? cur.description, JSON.stringify(normaliseCapabilities(p.capabilities ?? cur.capabilities)), Date.now(), id);
    return this.get(id);
  }

  /** Soft delete: the row stays for audit. Call inside a transaction together with revoking the keys. */
  delete(id: string): void {
    const now = Date.now();
    if (this.markDeleted.run(now, now, id).changes !== 1) throw new NotFound("agent", id, "id");
  }

  list(q: PageQuery) {
    return this.pager.page<AgentRow, Agent>({ from: "live_agents", where: "1 = 1", cursorFrom: "agents", cursorWhere: "1 = 1", params: [] }, q, toAgent);
  }
}
