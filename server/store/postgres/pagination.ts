import type { PageOf, PageQuery } from "../../../api";
import { BadCursor } from "../errors";
import type { Q } from "./db";

/** Which rows a list shows and which its cursors may name (see sqlite/pagination.ts); `$n` params. */
export interface PgListScope {
  from: string;
  where: string;
  cursorFrom: string;
  cursorWhere: string;
  params: unknown[];
}

/** Writer's cursor pagination, keyset on seq: the same contract as the SQLite pager. */
export async function pgPage<R extends { id: string }, T>(q: Q, scope: PgListScope, query: PageQuery, map: (row: R) => T | Promise<T>): Promise<PageOf<T>> {
  if (query.after && query.before) throw new BadCursor("use either after or before, not both", "before");
  const cursorField = query.after ? "after" : query.before ? "before" : null;
  const n = scope.params.length;
  let cursorSeq: number | null = null;
  if (cursorField) {
    const id = (query.after ?? query.before) as string;
    const r = await q.query<{ seq: number }>(`SELECT seq FROM ${scope.cursorFrom} WHERE id = $${n + 1} AND ${scope.cursorWhere}`, [...scope.params, id]);
    if (!r.rows[0]) throw new BadCursor(`cursor ${id} is not an object of this list`, cursorField);
    cursorSeq = r.rows[0].seq;
  }
  const desc = query.order === "desc";
  const scanDesc = cursorField === "before" ? !desc : desc;
  const args: unknown[] = [...scope.params];
  let cond = scope.where;
  if (cursorSeq !== null) {
    args.push(cursorSeq);
    cond += ` AND seq ${scanDesc ? "<" : ">"} $${args.length}`;
  }
  args.push(query.limit + 1);
  const rows = (await q.query<R>(`SELECT * FROM ${scope.from} WHERE ${cond} ORDER BY seq ${scanDesc ? "DESC" : "ASC"} LIMIT $${args.length}`, args)).rows;
  const has_more = rows.length > query.limit;
  if (has_more) rows.pop();
  if (cursorField === "before") rows.reverse();
  const data: T[] = [];
  for (const r of rows) data.push(await map(r));
  return { data, has_more, first_id: rows.length ? rows[0].id : null, last_id: rows.length ? rows[rows.length - 1].id : null };
}
