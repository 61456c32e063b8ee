import { randomUUID } from "node:crypto";
import type { DB } from "./db";
import { isoReq } from "./db";
import type { Pager } from "./pagination";
import type { PageQuery, Team } from "../../api";
import { CONFLICT_KEYS } from "../../api";
import { ApiError } from "../errors";

interface TeamRow { seq: number; id: string; name: string; created_at: number }

const toTeam = (r: TeamRow): Team => ({ id: r.id, name: r.name, created_at: isoReq(r.created_at) });

export class Teams {
  private byId; private byName; private insert;
  constructor(private db: DB, private pager: Pager) {
    this.byId = db.prepare("SELECT * FROM teams WHERE id = ?");
    this.byName = db.prepare("SELECT * FROM teams WHERE name = ?");
    this.insert = db.prepare("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)");
  }

  get(id: string): Team | undefined {
    const r = this.byId.get(id) as TeamRow | undefined;
    return r && toTeam(r);
  }

  idByName(name: string): string | undefined {
    return (this.byName.get(name) as TeamRow | undefined)?.id;
  }

  /** Call inside a transaction. */
  create(name: string): Team {
    if (this.byName.get(name)) {
      throw new ApiError(409, `a team named ${JSON.stringify(name)} already exists`, { field: "name", key: CONFLICT_KEYS.nameTaken });
    }
    const id = randomUUID();
    this.insert.run(id, name, Date.now());
    return this.get(id)!;
  }

  list(q: PageQuery) {
    return this.pager.page<TeamRow, Team>("teams", "1 = 1", [], q, toTeam);
  }
}
