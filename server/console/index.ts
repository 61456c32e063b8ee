import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import fastifyStatic from "@fastify/static";
import view from "@fastify/view";
import { Eta } from "eta";
import { CAPABILITIES, CAPABILITY_IDS, describeIssues, type Agent, type AdminRouteId, type Key, type ManagedBy, type PageOf } from "../../api";
import { CreateAdminTokenSchema, CreateAgentSchema, CreateKeySchema, KeyStatus, RegenerateKeySchema } from "../../api";
import type { AdminOps, Caller } from "../admin/run";
import { HttpError, fromStoreError } from "../errors";
import { StoreError, type Store } from "../store";
import { SESSION_TTL_MS, type Session } from "../store/domain/sessions";
import { barChart, lastDays } from "./chart";

export const SESSION_COOKIE = "wl_console";

/**
 * writer-local's console: AI Studio's API Keys page, local. Server-rendered (eta through
 * @fastify/view, everything escaped unless it is markup built here from numbers), no CDN, one small
 * script for the copy button. Sign-in with an admin token makes a session cookie (HttpOnly,
 * SameSite=Strict, Secure over https, 8 h) whose session lives in the store, so any replica serves
 * it; every state change carries a CSRF token (@fastify/csrf-protection, a double-submit cookie:
 * no server state). Every action goes through the admin API's own runner (admin/run.ts), with the
 * signed-in token's role and an audit entry from source "console", so what it does is exactly
 * what the admin API would do for that admin.
 */

// Templates and assets are read from the package's source tree (server/console/), which the npm
// package ships beside dist/: found from here (dist/server/console, or the source itself) by
// walking up to the package root.
function packageRoot(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${from}`);
  }
}
const ROOT = join(packageRoot(__dirname), "server", "console");

declare module "fastify" {
  interface FastifyRequest {
    session?: { id: string; data: Session; caller: Caller };
  }
}

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const day = (iso: string) => iso.slice(0, 10);
const when = (iso: string) => iso.replace("T", " ").slice(0, 16) + " UTC";
const limits = (k: Key) =>
  [
    k.requests_per_minute ? `${k.requests_per_minute} req/min` : "",
    k.tokens_per_minute ? `${k.tokens_per_minute} tokens/min` : "",
    k.token_budget ? `${k.token_budget.tokens} tokens/${k.token_budget.period}` : "",
  ].filter(Boolean).join(", ") || "none";

async function all<T>(page: (after?: string) => Promise<PageOf<T & { id: string }>>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const p = await page(after);
    out.push(...p.data);
    if (!p.has_more || !p.last_id) return out;
    after = p.last_id;
  }
}

export async function consoleRoutes(app: FastifyInstance, opts: { ops: AdminOps }): Promise<void> {
  const store = app.store as Store;
  const sessions = store.sessions;
  const { ops } = opts;
  /** An admin action as the signed-in admin, through the API's own runner. */
  const run = <K extends AdminRouteId>(req: FastifyRequest, id: K, r: { params?: unknown; query?: unknown; body?: unknown }) =>
    ops.run(id, { params: r.params, query: r.query ?? {}, body: r.body } as never, req.session!.caller) as Promise<any>;
  const valueOf = <T>(w: T | { value: T }): T => (w && typeof w === "object" && "value" in w && "json" in w ? (w as { value: T }).value : (w as T));

  await app.register(cookie);
  await app.register(csrf, {
    cookieKey: "wl_csrf",
    cookieOpts: { path: "/console", httpOnly: true, sameSite: "strict", signed: false },
    getToken: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });
  await app.register(formbody);
  await app.register(fastifyStatic, { root: join(ROOT, "assets"), prefix: "/console/assets/", decorateReply: false, maxAge: 3600_000 });
  await app.register(view, { engine: { eta: new Eta() }, root: join(ROOT, "views"), layout: undefined, viewExt: "eta", defaultContext: {} });

  // Pages of an admin tool: no framing, no referrer, nothing but our own scripts and styles.
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("content-security-policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-content-type-options", "nosniff");
    reply.header("cache-control", "no-store");
    return payload;
  });

  const secureCookie = (req: FastifyRequest) => req.protocol === "https";
  /** The session and the admin behind it (a revoked token ends its sessions at their next page). */
  const signedIn = async (req: FastifyRequest) => {
    const id = req.cookies[SESSION_COOKIE];
    const data = await sessions.get(id);
    if (!data || !id) return undefined;
    const t = await store.tokens.get(data.tokenId).catch(() => undefined);
    if (!t) return undefined;
    const caller: Caller = {
      actor: { token_id: t.id, name: t.name, role: t.role, team_id: t.team_id }, source: "console", requestId: String(req.id), remoteAddress: req.ip, pulumi: null,
    };
    return { id, data, caller };
  };

  /** A page, with what every page needs: the session's CSRF token and its flash. */
  const page = async (req: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) => {
    const csrfToken = reply.generateCsrf({ path: "/console", httpOnly: true, sameSite: "strict", secure: secureCookie(req) } as never);
    return reply.type("text/html; charset=utf-8").view(template, {
      signedIn: !!req.session, admin: req.session?.caller.actor, csrf: csrfToken, day, when, limits, baseUrl: `${req.protocol}://${req.host}`, ...data,
    });
  };

  // Every page but sign-in needs a session; without one the browser is sent to sign in.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const s = await signedIn(req);
    if (!s) return reply.redirect("/console/sign-in", 303);
    req.session = s;
  };
  const csrfCheck = app.csrfProtection;

  // A store or validation error becomes a page that says what was wrong, not a JSON body.
  app.setErrorHandler(async (err, req, reply) => {
    const e = err instanceof StoreError ? fromStoreError(err) : err;
    if ((e as { code?: string }).code?.startsWith("FST_CSRF")) {
      reply.code(403);
      return page(req, reply, "error", { title: "Refused", heading: "Refused", message: "This form has expired or did not come from this console: go back, reload and try again.", back: "/console" });
    }
    if (e instanceof HttpError) {
      reply.code(e.status);
      return page(req, reply, "error", { title: "Error", heading: e.status === 404 ? "Not found" : "Could not do that", message: e.message, back: req.headers.referer ?? "/console" });
    }
    req.log.error({ err: { type: (e as Error).name } }, "console error");
    reply.code(500);
    return page(req, reply, "error", { title: "Error", heading: "Something went wrong", message: "writer-local could not do that; try again.", back: "/console" });
  });

  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: any } }, v: unknown): T => {
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    throw new HttpError(400, describeIssues(r.error).map((i) => `${i.field}: ${i.message}`).join("; "));
  };

  const usageOf = async (req: FastifyRequest, agentId: string, keyId?: string) => {
    const to = today();
    const from = new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    if (req.session!.caller.actor.role === "team_admin" && !keyId) return undefined;
    const report = keyId
      ? await run(req, "keyUsage", { params: { id: agentId, key_id: keyId }, query: { from, to } })
      : await run(req, "agentUsage", { params: { id: agentId }, query: { from, to } });
    const days = report.data as Awaited<ReturnType<Store["usage"]["report"]>>;
    const byDay = new Map(days.map((d) => [d.date, d]));
    const range = lastDays(to, 30);
    const totals = { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
    const refusals = new Map<string, number>();
    for (const d of days) {
      totals.requests += d.requests;
      totals.prompt_tokens += d.prompt_tokens;
      totals.completion_tokens += d.completion_tokens;
      for (const [r, n] of Object.entries(d.refusals)) refusals.set(r, (refusals.get(r) ?? 0) + n);
    }
    return {
      empty: days.length === 0,
      totals,
      refusals: [...refusals].map(([reason, count]) => ({ reason, count })),
      requestsChart: barChart("Requests per day, last 30 days", range.map((d) => ({ label: d, value: byDay.get(d)?.requests ?? 0 }))),
      tokensChart: barChart("Tokens per day, last 30 days", range.map((d) => ({ label: d, value: (byDay.get(d)?.prompt_tokens ?? 0) + (byDay.get(d)?.completion_tokens ?? 0) }))),
    };
  };

  /** Teams and the users this admin may see (a team_admin: its team's). */
  const directory = async (req: FastifyRequest) => {
    const teams = await all((after) => store.teams.list({ limit: 100, order: "asc", after }));
    const users = await all<{ id: string; email: string; name: string; team_ids: string[] }>((after) => run(req, "listUsers", { query: { limit: 100, order: "asc", after } }));
    return {
      teams, users,
      teamNames: Object.fromEntries(teams.map((t) => [t.id, t.name])),
      userEmails: Object.fromEntries(users.map((u) => [u.id, u.email])),
    };
  };

  // ---- sign-in ---------------------------------------------------------------------------------
  app.get("/console/sign-in", { schema: { hide: true } }, async (req, reply) => page(req, reply, "sign-in", { title: "Sign in" }));

  app.post("/console/sign-in", { schema: { hide: true }, preHandler: csrfCheck }, async (req, reply) => {
    const token = String((req.body as Record<string, unknown>)?.token ?? "");
    const wait = app.authThrottle.blocked(req.ip);
    if (wait > 0) {
      reply.code(429).header("retry-after", String(wait));
      return page(req, reply, "sign-in", { title: "Sign in", error: `Too many failed sign-ins from this address: try again in ${wait} s.` });
    }
    const t = token ? await store.tokens.authenticate(token) : undefined;
    const entry = (outcome: "ok" | "refused") => ({
      actor: t ? { token_id: t.id, name: t.name, role: t.role } : null, source: "console" as const, request_id: String(req.id), remote_address: req.ip,
      action: "session.sign_in", object: { kind: "session", id: null }, changes: {}, outcome, pulumi: null,
    });
    if (!t) {
      app.authThrottle.fail(req.ip);
      await ops.record(entry("refused")).catch(() => undefined);
      reply.code(401);
      return page(req, reply, "sign-in", { title: "Sign in", error: "That is not an admin token of this writer-local." });
    }
    await ops.record(entry("ok"));
    const id = await sessions.create(t.id);
    reply.setCookie(SESSION_COOKIE, id, { path: "/console", httpOnly: true, sameSite: "strict", secure: secureCookie(req), maxAge: SESSION_TTL_MS / 1000 });
    return reply.redirect("/console", 303);
  });

  app.post("/console/sign-out", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    await sessions.end(req.session?.id);
    reply.clearCookie(SESSION_COOKIE, { path: "/console" });
    return reply.redirect("/console/sign-in", 303);
  });

  /** A change to an object a Pulumi stack manages is made only once the admin confirmed it (the next `pulumi up` puts it back). */
  const managedNote = (m: ManagedBy | null) =>
    m ? ` It is managed by the Pulumi stack ${m.stack} of project ${m.project} (${m.urn}): the next \`pulumi up\` of that stack will put it back.` : "";
  const confirmManaged = (req: FastifyRequest, reply: FastifyReply, m: ManagedBy | null, what: string, action: string, back: string, fields: Record<string, string>) => {
    if (!m || (req.body as Record<string, string>)?.confirm_managed === "yes") return undefined;
    return page(req, reply, "confirm", {
      title: "Change a managed object", question: `${what}?`, confirm: "Change it anyway",
      consequence: `This is a change out of band.${managedNote(m)}`, action, back, fields: { ...fields, confirm_managed: "yes" },
    });
  };
  const flash = (req: FastifyRequest, f: Session["flash"]) => sessions.setFlash(req.session!.id, f);

  // ---- agents ----------------------------------------------------------------------------------
  app.get("/console", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const after = (req.query as Record<string, string>).after;
    const p: PageOf<Agent> = await run(req, "listAgents", { query: { limit: 50, order: "asc", after: after && /^[0-9a-f-]{36}$/.test(after) ? after : undefined } });
    const t = today();
    const readsUsage = req.session!.caller.actor.role !== "team_admin";
    const agents = await Promise.all(p.data.map(async (a: Agent) => ({
      ...a, requestsToday: readsUsage ? (await store.usage.report({ agentId: a.id, from: t, to: t })).reduce((n, d) => n + d.requests, 0) : undefined,
    })));
    return page(req, reply, "agents", { title: "API agents", section: "agents", agents, next: p.has_more ? p.last_id : undefined, notice: (await sessions.takeFlash(req.session!.id))?.notice });
  });

  app.get("/console/agents/new", { schema: { hide: true }, preHandler: guard }, async (req, reply) =>
    page(req, reply, "agent-new", { title: "New agent", section: "agents", catalog: CAPABILITIES }));

  app.post("/console/agents", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const b = req.body as Record<string, unknown>;
    const caps = b.capabilities === undefined ? [] : Array.isArray(b.capabilities) ? b.capabilities : [b.capabilities];
    const body = parse(CreateAgentSchema, { name: b.name, description: b.description || undefined, capabilities: caps });
    const created = valueOf(await run(req, "createAgent", { body })) as any;
    await flash(req, { secret: created.default_key.secret, keyName: `${created.name}'s "Production" key` });
    return reply.redirect(`/console/agents/${created.id}`, 303);
  });

  const idOf = (req: FastifyRequest, name: string) => String((req.params as Record<string, string>)[name]).toLowerCase();
  const agentOf = async (req: FastifyRequest): Promise<Agent> => run(req, "getAgent", { params: { id: idOf(req, "id") } });

  app.get("/console/agents/:id", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const agent = await agentOf(req);
    const keys = await all((after) => run(req, "listKeys", { params: { id: agent.id }, query: { limit: 100, order: "asc", after } }));
    const dir = await directory(req);
    const usage = await usageOf(req, agent.id);
    return page(req, reply, "agent", {
      title: agent.name, section: "agents", agent, keys, catalog: CAPABILITIES, ...dir, managedNote: managedNote(agent.managed_by),
      flash: await sessions.takeFlash(req.session!.id), usage: usage && { ...usage, baseUrl: `${req.protocol}://${req.host}` },
    });
  });

  app.post("/console/agents/:id/capabilities/:capability", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const agent = await agentOf(req);
    const capability = (req.params as Record<string, string>).capability;
    if (!(CAPABILITY_IDS as readonly string[]).includes(capability)) throw new HttpError(400, `unknown capability ${capability}`);
    const enabled = (req.body as Record<string, string>)?.enabled === "true";
    const ask = confirmManaged(req, reply, agent.managed_by, `${enabled ? "Enable" : "Disable"} ${capability} on ${agent.name}`,
      `/console/agents/${agent.id}/capabilities/${capability}`, `/console/agents/${agent.id}`, { enabled: String(enabled) });
    if (ask) return ask;
    await run(req, enabled ? "enableCapability" : "disableCapability", { params: { id: agent.id, capability } });
    return reply.redirect(`/console/agents/${agent.id}#caps`, 303);
  });

  app.get("/console/agents/:id/delete", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const agent = await agentOf(req);
    return page(req, reply, "confirm", {
      title: "Delete agent", question: `Delete the agent "${agent.name}"?`, danger: true, confirm: `Delete ${agent.name}`,
      consequence: `Every key of ${agent.name} (${agent.key_count}) is revoked with it and stops working at once.${managedNote(agent.managed_by) || " A stack that manages it will recreate it on its next pulumi up."}`,
      action: `/console/agents/${agent.id}/delete`, back: `/console/agents/${agent.id}`,
    });
  });

  app.post("/console/agents/:id/delete", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const agent = await agentOf(req);
    await run(req, "deleteAgent", { params: { id: agent.id } });
    await flash(req, { notice: `Deleted ${agent.name} and revoked its keys.` });
    return reply.redirect("/console", 303);
  });

  // ---- keys ------------------------------------------------------------------------------------
  app.get("/console/agents/:id/keys/new", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const agent = await agentOf(req);
    return page(req, reply, "key-new", { title: "Generate key", section: "agents", agent, ...(await directory(req)) });
  });

  app.post("/console/agents/:id/keys", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const agent = await agentOf(req);
    const b = req.body as Record<string, string>;
    const num = (v: string | undefined) => (v ? Number(v) : undefined);
    const body = parse(CreateKeySchema, {
      name: b.name,
      scope: b.scope === "team" ? "team" : "all_teams",
      ...(b.scope === "team" ? { team_id: b.team_id || undefined } : {}),
      owner_id: b.owner_id || undefined,
      expires_at: b.expires_at ? `${b.expires_at.length === 16 ? b.expires_at + ":00" : b.expires_at}Z` : undefined,
      requests_per_minute: num(b.requests_per_minute),
      tokens_per_minute: num(b.tokens_per_minute),
    });
    const k = valueOf(await run(req, "createKey", { params: { id: agent.id }, body })) as any;
    await flash(req, { secret: k.secret, keyName: k.name });
    return reply.redirect(`/console/agents/${agent.id}/keys/${k.id}`, 303);
  });

  const keyOf = async (req: FastifyRequest): Promise<{ agent: Agent; key: Key }> => {
    const agent = await agentOf(req);
    const key = await run(req, "getKey", { params: { id: agent.id, key_id: idOf(req, "keyId") } });
    return { agent, key };
  };

  app.get("/console/agents/:id/keys/:keyId", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    const dir = await directory(req);
    const usage = await usageOf(req, agent.id, key.id);
    return page(req, reply, "key", {
      title: key.name, section: "agents", agent, key, teamName: key.team_id ? dir.teamNames[key.team_id] : undefined, managedNote: managedNote(key.managed_by),
      ownerEmail: key.owner_id ? dir.userEmails[key.owner_id] : undefined, flash: await sessions.takeFlash(req.session!.id),
      usage: usage && { ...usage, baseUrl: `${req.protocol}://${req.host}` },
    });
  });

  app.post("/console/agents/:id/keys/:keyId/status", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    const status = parse(KeyStatus, (req.body as Record<string, string>)?.status);
    const ask = confirmManaged(req, reply, key.managed_by, `${status === "active" ? "Enable" : "Disable"} ${key.name}`,
      `/console/agents/${agent.id}/keys/${key.id}/status`, `/console/agents/${agent.id}/keys/${key.id}`, { status });
    if (ask) return ask;
    await run(req, "updateKey", { params: { id: agent.id, key_id: key.id }, body: { status } });
    return reply.redirect(`/console/agents/${agent.id}/keys/${key.id}`, 303);
  });

  app.get("/console/agents/:id/keys/:keyId/regenerate", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    return page(req, reply, "confirm", {
      title: "Regenerate", question: `Regenerate the secret of "${key.name}" (${agent.name})?`, confirm: `Regenerate ${key.name}`, grace: true,
      consequence: `The key keeps its id; a new secret is shown once. The current secret keeps working for the grace period below, so its users can switch.${managedNote(key.managed_by)}`,
      action: `/console/agents/${agent.id}/keys/${key.id}/regenerate`, back: `/console/agents/${agent.id}/keys/${key.id}`,
    });
  });

  app.post("/console/agents/:id/keys/:keyId/regenerate", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    const g = (req.body as Record<string, string>)?.grace_period_seconds;
    const body = parse(RegenerateKeySchema, { grace_period_seconds: g === undefined || g === "" ? undefined : Number(g) });
    const k = valueOf(await run(req, "regenerateKey", { params: { id: agent.id, key_id: key.id }, body })) as any;
    await flash(req, { secret: k.secret, keyName: k.name });
    return reply.redirect(`/console/agents/${agent.id}/keys/${key.id}`, 303);
  });

  app.get("/console/agents/:id/keys/:keyId/revoke", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    return page(req, reply, "confirm", {
      title: "Revoke", question: `Revoke the key "${key.name}" of ${agent.name}?`, danger: true, confirm: `Revoke ${key.name}`,
      consequence: `${key.masked} stops working at once, for good.${managedNote(key.managed_by) || " A stack that manages it will see it gone on its next refresh and create a new one on pulumi up."}`,
      action: `/console/agents/${agent.id}/keys/${key.id}/revoke`, back: `/console/agents/${agent.id}/keys/${key.id}`,
    });
  });

  app.post("/console/agents/:id/keys/:keyId/revoke", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const { agent, key } = await keyOf(req);
    await run(req, "revokeKey", { params: { id: agent.id, key_id: key.id } });
    await flash(req, { notice: `Revoked ${key.name}.` });
    return reply.redirect(`/console/agents/${agent.id}`, 303);
  });

  // ---- directory (read-only) -------------------------------------------------------------------
  app.get("/console/teams", { schema: { hide: true }, preHandler: guard }, async (req, reply) =>
    page(req, reply, "teams", { title: "Teams", section: "teams", ...(await directory(req)) }));
  app.get("/console/users", { schema: { hide: true }, preHandler: guard }, async (req, reply) =>
    page(req, reply, "users", { title: "Users", section: "users", ...(await directory(req)) }));

  // ---- accountability: admin tokens and the audit log --------------------------------------------
  app.get("/console/tokens", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const tokens = await all((after) => run(req, "listTokens", { query: { limit: 100, order: "asc", after } }));
    return page(req, reply, "tokens", { title: "Admin tokens", section: "tokens", tokens, ...(await directory(req)), flash: await sessions.takeFlash(req.session!.id) });
  });
  app.post("/console/tokens", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    const b = req.body as Record<string, string>;
    const body = parse(CreateAdminTokenSchema, { name: b.name, role: b.role, ...(b.role === "team_admin" ? { team_id: b.team_id || undefined } : {}) });
    const t = valueOf(await run(req, "createToken", { body })) as any;
    await flash(req, { secret: t.secret, keyName: `admin token ${t.name}` });
    return reply.redirect("/console/tokens", 303);
  });
  app.post("/console/tokens/:id/revoke", { schema: { hide: true }, preHandler: [guard, csrfCheck] }, async (req, reply) => {
    await run(req, "revokeToken", { params: { id: idOf(req, "id") } });
    await flash(req, { notice: "Revoked the admin token." });
    return reply.redirect("/console/tokens", 303);
  });
  app.get("/console/audit", { schema: { hide: true }, preHandler: guard }, async (req, reply) => {
    const q = req.query as Record<string, string>;
    const p = await run(req, "listAudit", { query: { limit: 100, order: "desc", ...(q.before && /^[0-9a-f-]{36}$/.test(q.before) ? {} : {}), ...(q.after && /^[0-9a-f-]{36}$/.test(q.after) ? { after: q.after } : {}), ...(q.object_id ? { object_id: q.object_id.slice(0, 200) } : {}) } });
    return page(req, reply, "audit", { title: "Audit log", section: "audit", entries: p.data, next: p.has_more ? p.last_id : undefined, objectId: q.object_id });
  });
}
