import type { FastifyRequest } from "fastify";
import { ADMIN_ROUTES, PULUMI_HEADERS, type AdminRouteId, type AuditEntry, type ManagedBy, type PulumiContext, type Role } from "../../api";
import { HttpError } from "../errors";
import type { AdminActor } from "../plugins/auth";
import type { Store } from "../store";
import type { AdminHandlers, AdminRequest } from "./register";

// The one way an admin action happens, whether it comes from the API, the console or the CLI:
// the caller's role is checked against the route's, a team_admin is held to its team's objects,
// and every write (and every refusal) becomes one audit entry with what changed.

export type AuditSource = AuditEntry["source"];

/** Who asks, from where, and (when a provider asks) for which Pulumi stack. */
export interface Caller {
  actor: AdminActor;
  source: AuditSource;
  requestId: string;
  remoteAddress: string;
  pulumi: PulumiContext | null;
}

/** Audit action names, one per route. */
export const ACTIONS: Record<AdminRouteId, string> = {
  listCapabilities: "capability.list", listTeams: "team.list", createTeam: "team.create", getTeam: "team.get",
  listUsers: "user.list", createUser: "user.create", getUser: "user.get",
  createAgent: "agent.create", listAgents: "agent.list", getAgent: "agent.get", updateAgent: "agent.update", deleteAgent: "agent.delete",
  enableCapability: "agent.capability_enable", disableCapability: "agent.capability_disable",
  createKey: "key.create", listKeys: "key.list", getKey: "key.get", updateKey: "key.update", regenerateKey: "key.regenerate", revokeKey: "key.revoke",
  agentUsage: "usage.agent", keyUsage: "usage.key", releaseIdempotency: "idempotency.release",
  createToken: "token.create", listTokens: "token.list", getToken: "token.get", revokeToken: "token.revoke", listAudit: "audit.list",
};
const KIND: Record<string, string> = { team: "team", user: "user", agent: "agent", key: "key", token: "admin_token", idempotency: "idempotency", capability: "capability", usage: "usage", audit: "audit" };

/** Fields that move on their own and say nothing about who changed what. */
const VOLATILE = new Set(["updated_at", "last_used_at", "key_count"]);

/** An object as the audit log may hold it: no secret, anywhere. */
function redacted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redacted);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "secret").map(([k, x]) => [k, redacted(x)]));
  return v;
}

/** Each field that differs: [before, after] (a create's fields: [null, value]; a delete's: [value, null]). */
export function changesOf(before: unknown, after: unknown): Record<string, [unknown, unknown]> {
  const b = (redacted(before) ?? {}) as Record<string, unknown>;
  const a = (redacted(after) ?? {}) as Record<string, unknown>;
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (VOLATILE.has(k)) continue;
    const x = b[k] ?? null;
    const y = a[k] ?? null;
    if (JSON.stringify(x) !== JSON.stringify(y)) out[k] = [x, y];
  }
  return out;
}

const clean = (v: unknown) => (typeof v === "string" ? v.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 1000) : "");

/** The Pulumi context a provider sent (X-Pulumi-*), if any. */
export function pulumiOf(req: FastifyRequest): PulumiContext | null {
  const h = (k: string) => clean(req.headers[k]);
  const urn = h(PULUMI_HEADERS.urn);
  if (!urn) return null;
  return { project: h(PULUMI_HEADERS.project), stack: h(PULUMI_HEADERS.stack), urn, operation: h(PULUMI_HEADERS.operation) };
}

export function callerOf(req: FastifyRequest, source?: AuditSource): Caller {
  const ua = String(req.headers["user-agent"] ?? "");
  return {
    actor: req.actor!,
    source: source ?? (ua.startsWith("writer-local-cli") ? "cli" : "api"),
    requestId: String(req.id),
    remoteAddress: req.ip,
    pulumi: pulumiOf(req),
  };
}

const needs = (roles: readonly Role[]) => roles.join(" or ");
const denied = (roles: readonly Role[], actor: AdminActor, why = "") =>
  new HttpError(403, `this needs the ${needs(roles)} role${why} (this token, ${JSON.stringify(actor.name)}, is ${actor.role})`, { field: "Authorization" });

/** Runs admin routes' handlers for a caller: roles, team scope, and the audit entry of every write. */
export class AdminOps {
  /** Entries whose write failed (a full disk, the database away): retried every second, in order. */
  private unwritten: Parameters<Store["audit"]["append"]>[0][] = [];
  private timer: NodeJS.Timeout;

  constructor(
    private store: Store,
    private handlers: AdminHandlers,
    private onAudit: (e: AuditEntry) => void = () => undefined,
    private onError: (e: unknown) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.retry(), 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async retry(): Promise<void> {
    while (this.unwritten.length) {
      try {
        this.onAudit(await this.store.audit.append(this.unwritten[0]));
        this.unwritten.shift();
      } catch {
        return;
      }
    }
  }

  private entry(id: AdminRouteId, c: Caller, objectId: string | null, changes: Record<string, [unknown, unknown]>, outcome: "ok" | "refused") {
    const action = ACTIONS[id];
    return {
      actor: { token_id: c.actor.token_id, name: c.actor.name, role: c.actor.role }, source: c.source, request_id: c.requestId, remote_address: c.remoteAddress,
      action, object: { kind: KIND[action.split(".")[0]] ?? action.split(".")[0], id: objectId }, changes, outcome, pulumi: c.pulumi,
    };
  }

  /**
   * Appends an audit entry. The change it records has committed already, so a failed append does
   * not fail the request: the entry is kept (with its own time) and written once the store takes it.
   */
  async record(e: Parameters<Store["audit"]["append"]>[0]): Promise<void> {
    const entry = { ...e, at: e.at ?? Date.now() };
    if (this.unwritten.length === 0) {
      try {
        this.onAudit(await this.store.audit.append(entry));
        return;
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.unwritten.length < 100_000) this.unwritten.push(entry);
  }

  /** For a team_admin on a route limited to its team: what it may touch, or 403. */
  private async teamScope(id: AdminRouteId, c: Caller, req: AdminRequest<AdminRouteId>): Promise<string | undefined> {
    const r = ADMIN_ROUTES[id] as { team?: "keys" | "users" };
    if (c.actor.role !== "team_admin" || !r.team) return undefined;
    const team = c.actor.team_id!;
    const p = req.params as Record<string, string> | undefined;
    const b = req.body as Record<string, unknown> | undefined;
    const notMine = () => denied(["org_admin"], c.actor, `: it is not of team ${team}, the one this token manages`);
    if (r.team === "keys") {
      if (id === "createKey") {
        if (b?.scope !== "team" || b?.team_id !== team) throw denied(["org_admin"], c.actor, ` for a key not scoped to team ${team} (set scope "team" and team_id ${team})`);
      } else if (p?.key_id) {
        const k = await this.store.keys.get(p.id, p.key_id);
        if (k.team_id !== team) throw notMine();
      }
    } else if (p?.id) {
      const u = await this.store.users.get(p.id);
      if (!u.team_ids.includes(team)) throw notMine();
    }
    return team;
  }

  /** The object before a change, for the audit entry's before/after. */
  private async before(id: AdminRouteId, p: Record<string, string>): Promise<unknown> {
    switch (id) {
      case "updateAgent": case "deleteAgent": case "enableCapability": case "disableCapability": return this.store.agents.get(p.id);
      case "updateKey": case "regenerateKey": case "revokeKey": return this.store.keys.get(p.id, p.key_id);
      case "revokeToken": return this.store.tokens.get(p.id);
      default: return null;
    }
  }

  async run<K extends AdminRouteId>(id: K, req: Omit<AdminRequest<K>, "actor" | "managed" | "teamOnly">, c: Caller): Promise<unknown> {
    const route = ADMIN_ROUTES[id];
    const write = route.method !== "GET";
    const p = (req.params ?? {}) as Record<string, string>;
    const managed: ManagedBy | undefined = c.pulumi ? { project: c.pulumi.project, stack: c.pulumi.stack, urn: c.pulumi.urn } : undefined;
    try {
      if (!route.roles.includes(c.actor.role)) throw denied(route.roles, c.actor);
      const full = { ...req, actor: c.actor, managed } as AdminRequest<K>;
      full.teamOnly = await this.teamScope(id, c, full as never);
      const before = write ? await this.before(id, p) : null;
      const out = await (this.handlers[id] as (r: AdminRequest<K>) => Promise<unknown>)(full);
      if (write) {
        const value = out && typeof out === "object" && "json" in out && "value" in out ? (out as { value: unknown }).value : out;
        // A create's object is the one it made (a key's, not its agent's, whose id is in the path).
        const made = route.status === 201 ? ((value as { id?: string } | null)?.id ?? null) : null;
        const objectId = made ?? p.key_id ?? p.id ?? null;
        const after = route.method === "DELETE" && route.status === 204 ? null : value;
        await this.record(this.entry(id, c, objectId, id === "releaseIdempotency" ? { released: [null, (value as { released: number }).released] } : changesOf(before, after), "ok"));
      }
      return out;
    } catch (e) {
      const status = (e as HttpError).status;
      // Writes that did not happen, and every refusal of the caller's role, are entries too.
      if (write || status === 403) await this.record(this.entry(id, c, p.key_id ?? p.id ?? null, {}, "refused")).catch(() => undefined);
      throw e;
    }
  }
}
