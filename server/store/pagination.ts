import type Database from "better-sqlite3";
import type { DB } from "./db";
import { ApiError } from "../errors";
import type { PageOf, PageQuery } from "../../api";

/**
 * Writer's cursor pagination over any table with (seq, id). Cursors are object ids; they are
 * resolved to `seq` within the same filter, so a cursor from another list is rejected (400) rather
 * than silently paging somewhere else. Statements are cached per SQL shape.
 */
export class Pager {
  private cache = new Map<string, Database.Statement<unknown[]>>();
  constructor(private db: DB) {}

  private stmt(sql: string) {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare<unknown[]>(sql)));
    return s;
  }

  page<R extends { id: string }, T>(
    table: string,
    where: string,
    params: unknown[],
    q: PageQuery,
    map: (row: R) => T,
  ): PageOf<T> {
    const cursorField = q.after ? "after" : q.before ? "before" : null;
    if (q.after && q.before) throw new ApiError(400, "use either after or before, not both", { field: "before" });
    let cursorSeq: number | null = null;
    if (cursorField) {
      const id = (q.after ?? q.before) as string;
      const row = this.stmt(`SELECT seq FROM ${table} WHERE id = ? AND ${where}`).get(id, ...params) as
        | { seq: number }
        | undefined;
      if (!row) throw new ApiError(400, `cursor ${id} is not an object of this list`, { field: cursorField });
      cursorSeq = row.seq;
    }
    const desc = q.order === "desc";
    // "before" walks backwards from the cursor, so the scan direction flips and the rows are reversed.
    const scanDesc = cursorField === "before" ? !desc : desc;
    let cond = where;
    if (cursorSeq !== null) cond += ` AND seq ${scanDesc ? "<" : ">"} ?`;
    const sql = `SELECT * FROM ${table} WHERE ${cond} ORDER BY seq ${scanDesc ? "DESC" : "ASC"} LIMIT ?`;
    const args = cursorSeq !== null ? [...params, cursorSeq, q.limit + 1] : [...params, q.limit + 1];
    const rows = this.stmt(sql).all(...args) as R[];
    const has_more = rows.length > q.limit;
    if (has_more) rows.pop();
    if (cursorField === "before") rows.reverse();
    const data = rows.map(map);
    return {
      data,
      has_more,
      first_id: rows.length ? rows[0].id : null,
      last_id: rows.length ? rows[rows.length - 1].id : null,
    };
  }
}
