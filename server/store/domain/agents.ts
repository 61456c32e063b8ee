import { randomUUID } from "node:crypto";
import type { Agent, PageQuery } from "../../../api";
import type { Db, Exec } from "../db";
import { NotFound } from "../errors";
import { normaliseCapabilities, toAgent } from "../rows";
import { page } from "./pagination";

export class Agents {
  constructor(private db: Db) {}

  /**
   * `lock`: in a transaction that writes the agent after reading it (PostgreSQL takes the row's
   * lock, so two replicas' read-modify-writes of one agent take turns; SQLite has one writer).
   */
  async get(x: Exec, id: string, lock = false): Promise<Agent> {
    if (lock && this.db.engine === "postgres") {
      const held = await x.first(this.db.q.selectFrom("agents").select("id").where("id", "=", id).where("deleted_at", "is", null).forUpdate());
      if (!held) throw new NotFound("agent", id, "id");
    }
    const r = await x.first(this.db.q.selectFrom("live_agents").selectAll().where("id", "=", id));
    if (!r) throw new NotFound("agent", id, "id");
    return toAgent(r);
  }

  /** In a transaction. */
  async create(x: Exec, input: { name: string; description?: string; capabilities?: readonly string[] }): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await x.run(this.db.q.insertInto("agents").values({
      id, name: input.name, description: input.description ?? "", capabilities: JSON.stringify(normaliseCapabilities(input.capabilities ?? [])), created_at: now, updated_at: now,
    }));
    return id;
  }

  /** In a transaction. */
  async patch(x: Exec, id: string, p: { name?: string; description?: string; capabilities?: readonly string[] }): Promise<Agent> {
    const cur = await this.get(x, id, true);
    await x.run(this.db.q.updateTable("agents").set({
      name: p.name ?? cur.name, description: p.description ?? cur.description,
      capabilities: JSON.stringify(normaliseCapabilities(p.capabilities ?? cur.capabilities)), updated_at: Date.now(),
    }).where("id", "=", id).where("deleted_at", "is", null));
    return this.get(x, id);
  }

  /** Soft delete: the row stays for audit. In a transaction together with revoking the keys. */
  async delete(x: Exec, id: string): Promise<void> {
    const now = Date.now();
    const n = await x.run(this.db.q.updateTable("agents").set({ deleted_at: now, updated_at: now }).where("id", "=", id).where("deleted_at", "is", null));
    if (n !== 1) throw new NotFound("agent", id, "id");
  }

  list(x: Exec, query: PageQuery) {
    const q = this.db.q;
    return page(x, {
      rows: (c, desc, limit) => q.selectFrom("live_agents").selectAll().$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => q.selectFrom("agents").select("seq").where("id", "=", id),
    }, query, toAgent);
  }
}
