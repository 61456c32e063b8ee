import type { ObjectKind, Owner } from "../types";
import type { Q } from "./db";

/** Who created each object made through the data plane (see sqlite/objects.ts), shared by replicas. */
export class PgObjects {
  async own(q: Q, kind: ObjectKind, id: string, owner: Owner, now: number): Promise<void> {
    await q.query("INSERT INTO owned_objects (kind, id, agent_id, team_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", [kind, id, owner.agentId, owner.teamId, now]);
  }

  async ownerOf(q: Q, kind: ObjectKind, id: string): Promise<Owner | undefined> {
    // No object has an id with a NUL byte, and PostgreSQL text cannot hold one (the query would fail).
    if (id.includes("\0")) return undefined;
    const r = (await q.query<{ agent_id: string; team_id: string | null }>("SELECT agent_id, team_id FROM owned_objects WHERE kind = $1 AND id = $2", [kind, id])).rows[0];
    return r && { agentId: r.agent_id, teamId: r.team_id };
  }
}
