import { randomUUID } from "node:crypto";
import type { Agent, ManagedBy, PageQuery } from "../../../api";
import { prepared, type Db, type Exec } from "../db";
import { NotFound } from "../errors";
import { normaliseCapabilities, toAgent } from "../rows";
import { page } from "./pagination";

const byId = prepared((k, id: string) => k.selectFrom("live_agents").selectAll().where("id", "=", id));
const liveId = prepared((k, id: string) => k.selectFrom("agents").select("id").where("id", "=", id).where("deleted_at", "is", null));
const lockRow = prepared((k, id: string) => k.selectFrom("agents").select("id").where("id", "=", id).where("deleted_at", "is", null).forUpdate());
const insert = prepared((k, id: string, name: string, description: string, capabilities: string, now: number, project: string | null, stack: string | null, urn: string | null) =>
  k.insertInto("agents").values({ id, name, description, capabilities, created_at: now, updated_at: now, managed_project: project, managed_stack: stack, managed_urn: urn }));
const update = prepared((k, id: string, name: string, description: string, capabilities: string, now: number) =>
  k.updateTable("agents").set({ name, description, capabilities, updated_at: now }).where("id", "=", id).where("deleted_at", "is", null));
const manage = prepared((k, id: string, project: string, stack: string, urn: string) =>
  k.updateTable("agents").set({ managed_project: project, managed_stack: stack, managed_urn: urn }).where("id", "=", id));

export class Agents {
  constructor(private db: Db) {}

  /**
   * `lock`: in a transaction that writes the agent after reading it (PostgreSQL takes the row's
   * lock, so two replicas' read-modify-writes of one agent take turns; SQLite has one writer).
   */
  async get(x: Exec, id: string, lock = false): Promise<Agent> {
    if (lock && this.db.engine === "postgres") {
      const held = await x.first(lockRow(this.db.q, id));
      if (!held) throw new NotFound("agent", id, "id");
    }
    const r = await x.first(byId(this.db.q, id));
    if (!r) throw new NotFound("agent", id, "id");
    return toAgent(r);
  }

  /**
   * That the agent exists (404 otherwise), without reading it: its key count is a count over its
   * keys, which an operation on one of its keys has no use for. `lock` as in get().
   */
  async mustExist(x: Exec, id: string, lock = false): Promise<void> {
    const held = await x.first(lock && this.db.engine === "postgres" ? lockRow(this.db.q, id) : liveId(this.db.q, id));
    if (!held) throw new NotFound("agent", id, "id");
  }

  /** In a transaction. */
  async create(x: Exec, input: { name: string; description?: string; capabilities?: readonly string[] }, managed?: ManagedBy): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await x.run(insert(this.db.q, id, input.name, input.description ?? "", JSON.stringify(normaliseCapabilities(input.capabilities ?? [])), now,
      managed?.project ?? null, managed?.stack ?? null, managed?.urn ?? null));
    return id;
  }

  /** Records the stack that changed it (a provider's call); a change from elsewhere leaves the record. */
  async manage(x: Exec, id: string, managed: ManagedBy | undefined): Promise<void> {
    if (managed) await x.run(manage(this.db.q, id, managed.project, managed.stack, managed.urn));
  }

  /** In a transaction. */
  async patch(x: Exec, id: string, p: { name?: string; description?: string; capabilities?: readonly string[] }, managed?: ManagedBy): Promise<Agent> {
    const cur = await this.get(x, id, true);
    await this.manage(x, id, managed);
    await x.run(update(this.db.q, id, p.name ?? cur.name, p.description ?? cur.description, JSON.stringify(normaliseCapabilities(p.capabilities ?? cur.capabilities)), Date.now()));
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
