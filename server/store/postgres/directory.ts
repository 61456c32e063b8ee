import { randomUUID } from "node:crypto";
import type { CreateUser, PageQuery, Team, User } from "../../../api";
import { NotFound, Taken, Unprocessable } from "../errors";
import { isoReq, toTeam, type TeamRow, type UserRow } from "../rows";
import type { Q } from "./db";
import { pgPage } from "./pagination";

const UNIQUE = "23505";

/** Teams and users (the organisation's directory) on PostgreSQL. */
export class PgDirectory {
  async team(q: Q, id: string): Promise<Team | undefined> {
    const r = (await q.query<TeamRow>("SELECT * FROM teams WHERE id = $1", [id])).rows[0];
    return r && toTeam(r);
  }

  async getTeam(q: Q, id: string): Promise<Team> {
    const t = await this.team(q, id);
    if (!t) throw new NotFound("team", id, "id");
    return t;
  }

  /** Call inside a transaction; a concurrent create of the same name loses on the unique index. */
  async createTeam(q: Q, name: string): Promise<Team> {
    const id = randomUUID();
    try {
      await q.query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)", [id, name, Date.now()]);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE) throw new Taken(`a team named ${JSON.stringify(name)} already exists`, "name");
      throw e;
    }
    return this.getTeam(q, id);
  }

  listTeams(q: Q, query: PageQuery) {
    return pgPage<TeamRow, Team>(q, { from: "teams", where: "TRUE", cursorFrom: "teams", cursorWhere: "TRUE", params: [] }, query, toTeam);
  }

  private async toUser(q: Q, r: UserRow): Promise<User> {
    const teams = await q.query<{ team_id: string }>("SELECT ut.team_id FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE ut.user_id = $1 ORDER BY t.seq", [r.id]);
    return { id: r.id, email: r.email, name: r.name, team_ids: teams.rows.map((t) => t.team_id), created_at: isoReq(r.created_at) };
  }

  async getUser(q: Q, id: string): Promise<User> {
    const r = (await q.query<UserRow>("SELECT * FROM users WHERE id = $1", [id])).rows[0];
    if (!r) throw new NotFound("user", id, "id");
    return this.toUser(q, r);
  }

  async userExists(q: Q, id: string): Promise<boolean> {
    return (await q.query("SELECT 1 FROM users WHERE id = $1", [id])).rowCount === 1;
  }

  async isMember(q: Q, userId: string, teamId: string): Promise<boolean> {
    return (await q.query("SELECT 1 FROM user_teams WHERE user_id = $1 AND team_id = $2", [userId, teamId])).rowCount === 1;
  }

  /** Call inside a transaction. */
  async createUser(q: Q, input: CreateUser): Promise<User> {
    for (const [i, t] of input.team_ids.entries()) {
      if (!(await this.team(q, t))) throw new Unprocessable(`team ${t} does not exist`, `team_ids.${i}`);
    }
    const id = randomUUID();
    try {
      await q.query("INSERT INTO users (id, email, name, created_at) VALUES ($1, $2, $3, $4)", [id, input.email, input.name, Date.now()]);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE) throw new Taken(`a user with email ${input.email} already exists`, "email");
      throw e;
    }
    for (const t of input.team_ids) await q.query("INSERT INTO user_teams (user_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [id, t]);
    return this.getUser(q, id);
  }

  listUsers(q: Q, query: PageQuery, email?: string) {
    const [where, params] = email !== undefined ? ["lower(email) = lower($1)", [email]] : ["TRUE", []];
    return pgPage<UserRow, User>(q, { from: "users", where, cursorFrom: "users", cursorWhere: where, params }, query, (r) => this.toUser(q, r));
  }
}
