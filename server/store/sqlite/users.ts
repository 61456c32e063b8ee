import { randomUUID } from "node:crypto";
import type { CreateUser, PageQuery, User } from "../../../api";
import { NotFound, Taken, Unprocessable } from "../errors";
import { isoReq, type UserRow } from "../rows";
import type { DB } from "./db";
import type { Pager } from "./pagination";


export class Users {
  private byId; private byEmail; private insert; private addTeam; private teamsOf; private member; private teamExists;
  constructor(db: DB, private pager: Pager) {
    this.byId = db.prepare("SELECT * FROM users WHERE id = ?");
    this.byEmail = db.prepare("SELECT * FROM users WHERE email = ? COLLATE NOCASE");
    this.insert = db.prepare("INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)");
    this.addTeam = db.prepare("INSERT OR IGNORE INTO user_teams (user_id, team_id) VALUES (?, ?)");
    this.teamsOf = db.prepare("SELECT ut.team_id FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE ut.user_id = ? ORDER BY t.seq");
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

  get(id: string): User {
    const r = this.byId.get(id) as UserRow | undefined;
    if (!r) throw new NotFound("user", id, "id");
    return this.toUser(r);
  }

  exists(id: string): boolean {
    return this.byId.get(id) !== undefined;
  }

  isMember(userId: string, teamId: string): boolean {
    return this.member.get(userId, teamId) !== undefined;
  }

  /** Call inside a transaction. */
  create(input: CreateUser): User {
    if (this.byEmail.get(input.email)) throw new Taken(`a user with email ${input.email} already exists`, "email");
    input.team_ids.forEach((t, i) => {
      if (!this.teamExists.get(t)) throw new Unprocessable(`team ${t} does not exist`, `team_ids.${i}`);
    });
    const id = randomUUID();
    this.insert.run(id, input.email, input.name, Date.now());
    for (const t of input.team_ids) this.addTeam.run(id, t);
    return this.get(id);
  }

  list(q: PageQuery, email?: string) {
    const [where, params] = email !== undefined ? ["email = ? COLLATE NOCASE", [email]] : ["1 = 1", []];
    return this.pager.page<UserRow, User>({ from: "users", where, cursorFrom: "users", cursorWhere: where, params }, q, this.toUser);
  }
}
