import { randomUUID } from "node:crypto";
import type { PageQuery, Team } from "../../../api";
import { NotFound, Taken } from "../errors";
import { toTeam, type TeamRow } from "../rows";
import type { DB } from "./db";
import type { Pager } from "./pagination";


export class Teams {
  private byId; private byName; private insert;
  constructor(db: DB, private pager: Pager) {
    this.byId = db.prepare("SELECT * FROM teams WHERE id = ?");
    this.byName = db.prepare("SELECT * FROM teams WHERE name = ?");
    this.insert = db.prepare("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)");
  }

  find(id: string): Team | undefined {
    const r = this.byId.get(id) as TeamRow | undefined;
    return r && toTeam(r);
  }

  get(id: string): Team {
    const t = this.find(id);
    if (!t) throw new NotFound("team", id, "id");
    return t;
  }

  /** Call inside a transaction. */
  create(name: string): Team {
    if (this.byName.get(name)) throw new Taken(`a team named ${JSON.stringify(name)} already exists`, "name");
    const id = randomUUID();
    this.insert.run(id, name, Date.now());
    return this.get(id);
  }

  list(q: PageQuery) {
    return this.pager.page<TeamRow, Team>({ from: "teams", where: "1 = 1", cursorFrom: "teams", cursorWhere: "1 = 1", params: [] }, q, toTeam);
  }
}
