import type Database from "better-sqlite3";
import type { DB } from "./db";
import { BadCursor } from "../errors";
import type { PageOf, PageQuery } from "../../../api";

/** Which rows a list shows, and which rows its cursors may name. */
export interface ListScope {
  /** The table or view listed. */
  from: string;
  /** Rows shown (e.g. live keys of one agent). */
  where: string;
  /**
   * Rows a cursor may name: the list's own scope without "still live", so that a cursor whose
   * object was deleted or revoked between two pages still places the next page (keyset on seq).
   */
  cursorFrom: string;
  cursorWhere: string;
  params: unknown[];
}

/**
 * Writer's cursor pagination over any table with (seq, id): keyset pagination on seq, which is
 * monotonic with created_at. Cursors are object ids resolved to their seq within the list's scope,
 * so a cursor from another list is refused (400) rather than silently paging somewhere else.
 * Statements are cached per SQL shape.
 */
export class Pager {
  private cache = new Map<string, Database.Statement<unknown[]>>();
  constructor(private db: DB) {}

  private stmt(sql: string) {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare<unknown[]>(sql)));
    return s;
  }

  page<R extends { id: string }, T>(scope: ListScope, q: PageQuery, map: (row: R) => T): PageOf<T> {
    if (q.after && q.before) throw new BadCursor("use either after or before, not both", "before");
    const cursorField = q.after ? "after" : q.before ? "before" : null;
    let cursorSeq: number | null = null;
    if (cursorField) {
      const id = (q.after ?? q.before) as string;
      const row = this.stmt(`SELECT seq FROM ${scope.cursorFrom} WHERE id = ? AND ${scope.cursorWhere}`).get(id, ...scope.params) as { seq: number } | undefined;
      if (!row) throw new BadCursor(`cursor ${id} is not an object of this list`, cursorField);
      cursorSeq = row.seq;
    }
    const desc = q.order === "desc";
    // "before" walks backwards from the cursor, so the scan direction flips and the rows are reversed.
    const scanDesc = cursorField === "before" ? !desc : desc;
    let cond = scope.where;
    if (cursorSeq !== null) cond += ` AND seq ${scanDesc ? "<" : ">"} ?`;
    const sql = `SELECT * FROM ${scope.from} WHERE ${cond} ORDER BY seq ${scanDesc ? "DESC" : "ASC"} LIMIT ?`;
    const args = cursorSeq !== null ? [...scope.params, cursorSeq, q.limit + 1] : [...scope.params, q.limit + 1];
    const rows = this.stmt(sql).all(...args) as R[];
    const has_more = rows.length > q.limit;
    if (has_more) rows.pop();
    if (cursorField === "before") rows.reverse();
    return {
      data: rows.map(map),
      has_more,
      first_id: rows.length ? rows[0].id : null,
      last_id: rows.length ? rows[rows.length - 1].id : null,
    };
  }
}
