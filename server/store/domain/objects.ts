import { prepared, type Db, type Exec } from "../db";
import type { ObjectKind, Owner } from "../types";

/**
 * Which agent (and, for a team key, which team) created each object made through the data plane
 * (files, graphs, application jobs): one upstream key serves every agent, so the gateway keeps
 * them apart. These writes never change an access decision.
 */
const ownerOf = prepared((k, kind: string, id: string) => k.selectFrom("owned_objects").select(["agent_id", "team_id"]).where("kind", "=", kind).where("id", "=", id));
const own = prepared((k, kind: string, id: string, agentId: string, teamId: string | null, now: number) =>
  k.insertInto("owned_objects").values({ kind, id, agent_id: agentId, team_id: teamId, created_at: now }).onConflict((oc) => oc.doNothing()));

export class Objects {
  constructor(private db: Db) {}

  async own(kind: ObjectKind, id: string, owner: Owner, now: number): Promise<void> {
    await this.db.tx((x) => x.run(own(this.db.q, kind, id, owner.agentId, owner.teamId, now)), { access: false });
  }

  async ownerOf(x: Exec, kind: ObjectKind, id: string): Promise<Owner | undefined> {
    // No object has an id with a NUL byte, and PostgreSQL text cannot hold one (the query would fail).
    if (id.includes("\0")) return undefined;
    const r = await x.first(ownerOf(this.db.q, kind, id));
    return r && { agentId: r.agent_id, teamId: r.team_id };
  }
}
