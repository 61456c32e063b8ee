import type { ObjectKind, Owner } from "../types";
import { prepareNeutral, type DB } from "./db";

/**
 * Which agent (and, for a team key, which team) created each object made through the data plane
 * (files, graphs, application jobs): one upstream key serves every agent, so the gateway keeps
 * them apart. Writes are neutral: they never change an access decision.
 */
export class Objects {
  private insert; private find;
  constructor(db: DB) {
    this.insert = prepareNeutral(db, "INSERT OR IGNORE INTO owned_objects (kind, id, agent_id, team_id, created_at) VALUES (?, ?, ?, ?, ?)");
    this.find = db.prepare("SELECT agent_id, team_id FROM owned_objects WHERE kind = ? AND id = ?");
  }

  own(kind: ObjectKind, id: string, owner: Owner, now: number): void {
    this.insert.run(kind, id, owner.agentId, owner.teamId, now);
  }

  ownerOf(kind: ObjectKind, id: string): Owner | undefined {
    const r = this.find.get(kind, id) as { agent_id: string; team_id: string | null } | undefined;
    return r && { agentId: r.agent_id, teamId: r.team_id };
  }
}
