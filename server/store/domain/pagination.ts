import type { Compilable } from "kysely";
import type { PageOf, PageQuery } from "../../../api";
import type { Exec } from "../db";
import { BadCursor } from "../errors";

/** A list's two queries: its rows past a cursor (keyset on seq), and a cursor's seq within the list's scope. */
export interface List<R> {
  rows(after: { op: ">" | "<"; seq: number } | null, desc: boolean, limit: number): Compilable<R>;
  /**
   * The seq of the object a cursor names, among the rows a cursor may name: the list's own scope
   * without "still live", so a cursor whose object was deleted or revoked between two pages still
   * places the next page.
   */
  cursor(id: string): Compilable<{ seq: number }>;
}

/**
 * Writer's cursor pagination over any table with (seq, id): keyset pagination on seq, which is
 * monotonic with created_at. Cursors are object ids resolved to their seq within the list's scope,
 * so a cursor from another list is refused (400) rather than silently paging somewhere else.
 */
export async function page<R extends { id: string }, T>(x: Exec, list: List<R>, q: PageQuery, map: (r: R) => T | Promise<T>): Promise<PageOf<T>> {
  if (q.after && q.before) throw new BadCursor("use either after or before, not both", "before");
  const field = q.after ? "after" : q.before ? "before" : null;
  let seq: number | null = null;
  if (field) {
    const id = (q.after ?? q.before) as string;
    const row = await x.first(list.cursor(id));
    if (!row) throw new BadCursor(`cursor ${id} is not an object of this list`, field);
    seq = Number(row.seq);
  }
  const desc = q.order === "desc";
  // "before" walks backwards from the cursor, so the scan direction flips and the rows are reversed.
  const scanDesc = field === "before" ? !desc : desc;
  const rows = await x.all(list.rows(seq === null ? null : { op: scanDesc ? "<" : ">", seq }, scanDesc, q.limit + 1));
  const has_more = rows.length > q.limit;
  if (has_more) rows.pop();
  if (field === "before") rows.reverse();
  const data = await Promise.all(rows.map(map));
  return { data, has_more, first_id: rows.length ? rows[0].id : null, last_id: rows.length ? rows[rows.length - 1].id : null };
}
