import type { FastifyBaseLogger } from "fastify";
import type { ListRule, NamedEndpoint, ObjectKind, ObjectRef } from "../../api";
import { HttpError } from "../errors";
import type { Owner, Principal, Store } from "../store";

// Stage 3: objects. One organisation key stands behind every agent upstream, so the gateway keeps
// their objects apart: every field that names an object (path, query, body, nested in tools and
// inputs: the endpoint table's refs) must name one of the caller's (anything else does not exist
// for it: 404); what a request creates is recorded as the caller's before the client sees its id;
// lists show the caller's objects only, with no id of anyone else's, even as a cursor.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Upstream pages read at most per list answer (of 100 objects each). */
export const MAX_LIST_PAGES = 50;
const UPSTREAM_PAGE = 100;

/** Where each object kind is deleted upstream (jobs cannot be), for an object that could not be recorded. */
const DELETE_PATH: Partial<Record<ObjectKind, string>> = { graph: "/v1/graphs/", file: "/v1/files/" };

/** Every value at a ref's path in a JSON value, with the path of each ("tools.0.function.graph_ids.1"). */
export function* valuesAt(v: unknown, at: string): Generator<[string, unknown]> {
  const segs = at.split(".");
  function* walk(x: unknown, i: number, here: string): Generator<[string, unknown]> {
    if (i === segs.length) return yield [here, x];
    const m = /^([^[]+)(\[(?:(\w+)=(\w+))?\])?$/.exec(segs[i])!;
    const [, name, each, fk, fv] = m;
    if (!x || typeof x !== "object" || Array.isArray(x)) return;
    const child = (x as Record<string, unknown>)[name];
    if (child === undefined || child === null) return;
    const path = here ? `${here}.${name}` : name;
    if (!each) return yield* walk(child, i + 1, path);
    const items = Array.isArray(child) ? child : [child];
    for (const [j, c] of items.entries()) {
      if (fk && (c as Record<string, unknown> | null)?.[fk] !== fv) continue;
      yield* walk(c, i + 1, Array.isArray(child) ? `${path}.${j}` : path);
    }
  }
  yield* walk(v, 0, "");
}

/** An upstream request the gateway makes itself (list pages, the shared list a PUT replaces, a delete). */
export type Fetch = (method: string, path: string) => Promise<{ status: number; json: unknown }>;

export class Ownership {
  /** Objects whose record could not be written yet (and could not be undone upstream): retried, visible here meanwhile. */
  private unrecorded = new Map<string, { kind: ObjectKind; id: string; owner: Owner; at: number }>();
  private timer: NodeJS.Timeout;

  constructor(private store: Store, private clock: () => number, private log: FastifyBaseLogger) {
    this.timer = setInterval(() => void this.retryUnrecorded(), 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private ownerOf(kind: ObjectKind, id: string): Owner | undefined | Promise<Owner | undefined> {
    const pending = this.unrecorded.get(`${kind}|${id}`);
    if (pending) return pending.owner;
    return this.store.objects.ownerOf(kind, id);
  }

  /** Whether the caller may see the object: its agent made it, and a team key sees its team's and the all-teams ones. */
  async visible(kind: ObjectKind, id: unknown, p: Principal): Promise<boolean> {
    if (typeof id !== "string" || !UUID.test(id)) return false;
    const o = await this.ownerOf(kind, id.toLowerCase());
    return !!o && o.agentId === p.agentId && (o.teamId === null || p.scope === "all_teams" || o.teamId === p.teamId);
  }

  /** Every object the request names must be the caller's (404 otherwise, naming the field). */
  async checkRefs(e: NamedEndpoint, params: Record<string, string>, query: Record<string, unknown>, body: unknown, p: Principal): Promise<void> {
    for (const ref of e.refs ?? []) {
      for (const [field, v] of this.refValues(ref, params, query, body)) {
        if (ref.idShaped && !(typeof v === "string" && UUID.test(v))) continue;
        if (!(await this.visible(ref.kind, v, p))) throw new HttpError(404, `${ref.kind} ${String(v).slice(0, 200)} was not found`, { field });
      }
    }
  }

  private *refValues(ref: ObjectRef, params: Record<string, string>, query: Record<string, unknown>, body: unknown): Generator<[string, unknown]> {
    if (ref.in === "path") yield [ref.at, params[ref.at]];
    else if (ref.in === "query") {
      if (query[ref.at] !== undefined) yield [ref.at, query[ref.at]];
    } else yield* valuesAt(body, ref.at);
  }

  /**
   * Records what an answer created as the caller's before the client can name it. A write that
   * keeps failing (the database is gone, the disk is full) must not leave an object upstream that
   * nobody owns: it is deleted upstream and the client is told to retry (503); a job, which Writer
   * cannot delete, stays visible to its creator here and its record is retried until it lands.
   */
  async recordCreated(kind: ObjectKind, id: string, p: Principal, fetch: Fetch): Promise<void> {
    const owner = { agentId: p.agentId, teamId: p.scope === "team" ? p.teamId : null };
    for (const wait of [0, 50, 200]) {
      if (wait) await new Promise((ok) => setTimeout(ok, wait));
      try {
        await this.store.objects.own(kind, id, owner, this.clock());
        return;
      } catch (e) {
        this.log.warn({ err: e, kind }, "recording a created object failed; retrying");
      }
    }
    const del = DELETE_PATH[kind];
    if (del) {
      const undone = await fetch("DELETE", del + encodeURIComponent(id)).then((r) => r.status < 300 || r.status === 404, () => false);
      if (undone) throw new HttpError(503, `the ${kind} could not be recorded as this key's, so it was not kept; retry the request`, { headers: { "retry-after": "1" } });
    }
    this.unrecorded.set(`${kind}|${id}`, { kind, id, owner, at: this.clock() });
  }

  private async retryUnrecorded(): Promise<void> {
    for (const [k, u] of this.unrecorded) {
      try {
        await this.store.objects.own(u.kind, u.id, u.owner, u.at);
        this.unrecorded.delete(k);
      } catch {
        return; // still failing: next second
      }
    }
  }

  /**
   * For a PUT that replaces a list every agent shares: the other agents' entries, read from
   * Writer first, are kept in the list sent (the caller's request names only its own).
   */
  async keepOthers(e: NamedEndpoint, params: Record<string, string>, body: Record<string, unknown>, p: Principal, fetch: Fetch): Promise<void> {
    if (!e.keepsOthers) return;
    const path = e.keepsOthers.readFrom.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n]));
    const cur = await fetch("GET", path);
    const now = (cur.json as Record<string, unknown> | null)?.[e.keepsOthers.field];
    if (cur.status >= 300 || !Array.isArray(now)) throw new HttpError(502, `Writer's answer to GET ${e.keepsOthers.readFrom} could not be read; nothing was changed`);
    const kind = (e.lists as Extract<ListRule, { style: "ids" }>).kind;
    const others: string[] = [];
    for (const id of now) if (typeof id === "string" && !(await this.visible(kind, id, p))) others.push(id);
    const mine = body[e.keepsOthers.field] as string[];
    body[e.keepsOthers.field] = [...mine, ...others.filter((o) => !mine.includes(o))];
  }

  /**
   * A list answer cut down to the caller's objects, reading further upstream pages (at most
   * MAX_LIST_PAGES) until it holds what the client asked for or Writer has no more. An answer that
   * cannot be read fails closed (502): nothing of it reaches the client.
   */
  async filterList(rule: ListRule, first: unknown, query: Record<string, string>, p: Principal, path: string, fetch: Fetch): Promise<unknown> {
    const unreadable = () => new HttpError(502, "Writer's list answer could not be read; nothing of it is shown");
    const j = first as Record<string, unknown> | null;
    if (!j || typeof j !== "object") throw unreadable();
    if (rule.style === "ids") {
      const ids = j[rule.field];
      if (!Array.isArray(ids)) throw unreadable();
      const mine = await Promise.all(ids.map((id) => this.visible(rule.kind, id, p)));
      return { ...j, [rule.field]: ids.filter((_, i) => mine[i]) };
    }
    return rule.style === "cursor" ? this.cursorPage(rule.kind, j, query, p, path, fetch, unreadable) : this.offsetPage(rule.kind, j, query, p, path, fetch, unreadable);
  }

  /** The caller's items of a page, in order (looked up together: a page is up to 100 round trips on PostgreSQL). */
  private async keep<T>(kind: ObjectKind, items: unknown, p: Principal, unreadable: () => HttpError): Promise<T[]> {
    if (!Array.isArray(items)) throw unreadable();
    const mine = await Promise.all(items.map((it) => this.visible(kind, (it as { id?: unknown } | null)?.id, p)));
    return items.filter((_, i) => mine[i]) as T[];
  }

  /** Writer's cursor page ({data, has_more, first_id, last_id}) of the caller's objects only. */
  private async cursorPage(kind: ObjectKind, first: Record<string, unknown>, query: Record<string, string>, p: Principal, path: string, fetch: Fetch, unreadable: () => HttpError) {
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 50) || 50));
    const backwards = query.before !== undefined;
    let page = first;
    let kept: { id: string }[] = [];
    for (let pages = 1; ; pages++) {
      const mine = await this.keep<{ id: string }>(kind, page.data, p, unreadable);
      kept = backwards ? [...mine, ...kept] : [...kept, ...mine];
      const cursor = backwards ? page.first_id : page.last_id;
      if (kept.length >= limit || page.has_more !== true || typeof cursor !== "string") break;
      if (pages >= MAX_LIST_PAGES) {
        if (kept.length > 0) break;
        throw new HttpError(503, `more than ${MAX_LIST_PAGES * UPSTREAM_PAGE} objects of other agents precede this key's next ones; the gateway stopped reading`, { headers: { "retry-after": "1" } });
      }
      const q = new URLSearchParams({ ...query, limit: String(UPSTREAM_PAGE) });
      q.delete(backwards ? "after" : "before");
      q.set(backwards ? "before" : "after", cursor);
      const next = await fetch("GET", `${path}?${q}`);
      if (next.status >= 300 || !next.json || typeof next.json !== "object") throw unreadable();
      page = next.json as Record<string, unknown>;
    }
    const more = kept.length > limit || page.has_more === true;
    const data = backwards ? kept.slice(-limit) : kept.slice(0, limit);
    return { ...first, data, has_more: more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }

  /** Writer's jobs page ({result, totalCount, pagination: {offset, limit}}) counted over the caller's jobs only. */
  private async offsetPage(kind: ObjectKind, first: Record<string, unknown>, query: Record<string, string>, p: Principal, path: string, fetch: Fetch, unreadable: () => HttpError) {
    const limit = Math.max(1, Number(query.limit ?? 10) || 10);
    const offset = Math.max(0, Number(query.offset ?? 0) || 0);
    // The caller's offset counts the caller's jobs, so every page is read from the start.
    const all: unknown[] = [];
    let page = query.offset === undefined && query.limit === undefined ? first : undefined;
    for (let pages = 0, at = 0; ; pages++) {
      if (!page) {
        const q = new URLSearchParams({ ...query, offset: String(at), limit: String(UPSTREAM_PAGE) });
        const r = await fetch("GET", `${path}?${q}`);
        if (r.status >= 300 || !r.json || typeof r.json !== "object") throw unreadable();
        page = r.json as Record<string, unknown>;
      }
      const items = page.result;
      if (!Array.isArray(items)) throw unreadable();
      all.push(...(await this.keep(kind, items, p, unreadable)));
      at += items.length;
      const total = typeof page.totalCount === "number" ? page.totalCount : 0;
      if (items.length === 0 || at >= total) break;
      if (pages + 1 >= MAX_LIST_PAGES) throw new HttpError(503, `more than ${MAX_LIST_PAGES * UPSTREAM_PAGE} jobs to read for this list; the gateway stopped reading`, { headers: { "retry-after": "1" } });
      page = undefined;
    }
    return { result: all.slice(offset, offset + limit), totalCount: all.length, pagination: { offset, limit } };
  }
}
