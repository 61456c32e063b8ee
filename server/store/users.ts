import { randomUUID } from "node:crypto";
import type { DB } from "./db";
import { isoReq } from "./db";
import type { Pager } from "./pagination";
import type { PageQuery, User } from "../../api";
import { CONFLICT_KEYS } from "../../api";
import { ApiError, unprocessable } from "../errors";

interface UserRow { seq: number; id: string; email: string; name: string; created_at: number }

export class Users {
  private byId; private byEmail; private insert; private addTeam; private teamsOf; private member; private teamExists;
  constructor(private db: DB, private pager: Pager) {
    this.byId = db.prepare("SELECT * FROM users WHERE id = ?");
    this.byEmail = db.prepare("SELECT * FROM users WHERE email = ?");
    this.insert = db.prepare("INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)");
    this.addTeam = db.prepare("INSERT OR IGNORE INTO user_teams (user_id, team_id) VALUES (?, ?)");
    this.teamsOf = db.prepare(
      "SELECT ut.team_id FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE ut.user_id = ? ORDER BY t.seq",
    );
    this.member = db.prepare("SELECT 1 FROM user_teams WHERE user_id = ? AND team_id = ?");
    this.teamExists = db.prepare("SELECT 1 FROM teams WHERE id = ?");
  }

  private toUser = (r: UserRow): User => ({
    id: r.id,
    email: r.email,
    name: r.name,
    team_ids: (this.teamsOf.all(r.id) as { team_id: string }[]).map((t) => t.team_id),
    created_at: isoReq(r.created_at),
  });

  get(id: string): User | undefined {
    const r = this.byId.get(id) as UserRow | undefined;
    return r && this.toUser(r);
  }

  exists(id: string): boolean {
    return this.byId.get(id) !== undefined;
  }

  isMember(userId: string, teamId: string): boolean {
    return this.member.get(userId, teamId) !== undefined;
  }

  /** Call inside a transaction. */
  create(input: { email: string; name: string; team_ids: string[] }): User {
    if (this.byEmail.get(input.email)) {
      throw new ApiError(409, `a user with email ${input.email} already exists`, { field: "email", key: CONFLICT_KEYS.nameTaken });
    }
    input.team_ids.forEach((t, i) => {
      if (!this.teamExists.get(t)) throw unprocessable(`team_ids.${i}`, `team ${t} does not exist`);
    });
    const id = randomUUID();
    this.insert.run(id, input.email, input.name, Date.now());
    for (const t of input.team_ids) this.addTeam.run(id, t);
    return this.get(id)!;
  }

  list(q: PageQuery, email?: string) {
    if (email !== undefined) return this.pager.page<UserRow, User>("users", "email = ?", [email], q, this.toUser);
    return this.pager.page<UserRow, User>("users", "1 = 1", [], q, this.toUser);
  }
}
