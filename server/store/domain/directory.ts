import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { CreateUser, PageQuery, Team, User } from "../../../api";
import { isUniqueViolation, prepared, type Db, type Exec } from "../db";
import { NotFound, Taken, Unprocessable } from "../errors";
import { isoReq, toTeam, type UserRow } from "../rows";
import { page } from "./pagination";

const teamById = prepared((k, id: string) => k.selectFrom("teams").selectAll().where("id", "=", id));
const userById = prepared((k, id: string) => k.selectFrom("users").selectAll().where("id", "=", id));
const membership = prepared((k, userId: string, teamId: string) => k.selectFrom("user_teams").select("user_id").where("user_id", "=", userId).where("team_id", "=", teamId));
const teamsOf = prepared((k, userId: string) => k.selectFrom("user_teams as ut").innerJoin("teams as t", "t.id", "ut.team_id").select("ut.team_id").where("ut.user_id", "=", userId).orderBy("t.seq"));

/** Teams and users: the organisation's directory. Names and emails are unique by the database's own indexes. */
export class Directory {
  constructor(private db: Db) {}

  async team(x: Exec, id: string): Promise<Team | undefined> {
    const r = await x.first(teamById(this.db.q, id));
    return r && toTeam(r);
  }

  async getTeam(x: Exec, id: string): Promise<Team> {
    const t = await this.team(x, id);
    if (!t) throw new NotFound("team", id, "id");
    return t;
  }

  /** In a transaction; a concurrent create of the same name loses on the unique index (409, on both engines). */
  async createTeam(x: Exec, name: string): Promise<Team> {
    const id = randomUUID();
    try {
      await x.run(this.db.q.insertInto("teams").values({ id, name, created_at: Date.now() }));
    } catch (e) {
      if (isUniqueViolation(e)) throw new Taken(`a team named ${JSON.stringify(name)} already exists`, "name");
      throw e;
    }
    return this.getTeam(x, id);
  }

  listTeams(x: Exec, query: PageQuery) {
    const q = this.db.q;
    return page(x, {
      rows: (c, desc, limit) => q.selectFrom("teams").selectAll().$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => q.selectFrom("teams").select("seq").where("id", "=", id),
    }, query, toTeam);
  }

  private async toUser(x: Exec, r: UserRow): Promise<User> {
    const teams = await x.all(teamsOf(this.db.q, r.id));
    return { id: r.id, email: r.email, name: r.name, team_ids: teams.map((t) => t.team_id), created_at: isoReq(r.created_at) };
  }

  async getUser(x: Exec, id: string): Promise<User> {
    const r = await x.first(userById(this.db.q, id));
    if (!r) throw new NotFound("user", id, "id");
    return this.toUser(x, r);
  }

  async userExists(x: Exec, id: string): Promise<boolean> {
    return (await x.first(userById(this.db.q, id))) !== undefined;
  }

  async isMember(x: Exec, userId: string, teamId: string): Promise<boolean> {
    return (await x.first(membership(this.db.q, userId, teamId))) !== undefined;
  }

  /** In a transaction. Emails are one identity whatever their case (a unique index on lower(email) in both engines). */
  async createUser(x: Exec, input: CreateUser): Promise<User> {
    for (const [i, t] of input.team_ids.entries()) {
      if (!(await this.team(x, t))) throw new Unprocessable(`team ${t} does not exist`, `team_ids.${i}`);
    }
    const id = randomUUID();
    try {
      await x.run(this.db.q.insertInto("users").values({ id, email: input.email, name: input.name, created_at: Date.now() }));
    } catch (e) {
      if (isUniqueViolation(e)) throw new Taken(`a user with email ${input.email} already exists`, "email");
      throw e;
    }
    for (const t of new Set(input.team_ids)) await x.run(this.db.q.insertInto("user_teams").values({ user_id: id, team_id: t }));
    return this.getUser(x, id);
  }

  listUsers(x: Exec, query: PageQuery, email?: string, teamId?: string) {
    const q = this.db.q;
    const byEmail = <B extends { where: (...a: any[]) => B }>(b: B): B => {
      let r = email === undefined ? b : b.where(sql`lower(email)`, "=", email.toLowerCase());
      if (teamId !== undefined) r = r.where(sql`id`, "in", sql`(SELECT user_id FROM user_teams WHERE team_id = ${teamId})`);
      return r;
    };
    return page(x, {
      rows: (c, desc, limit) => byEmail(q.selectFrom("users").selectAll()).$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => byEmail(q.selectFrom("users").select("seq").where("id", "=", id)),
    }, query, (r) => this.toUser(x, r));
  }
}
