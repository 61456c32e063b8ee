import { createWriteStream, type WriteStream } from "node:fs";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ADMIN_ROUTES, toRouterPath, type AdminRouteId, type AuditEntry } from "../../api";
import { ACTIONS, callerOf } from "../admin/run";
import { isAdminRequest } from "../plugins/plugin";

export interface AuditOptions {
  [k: string]: unknown;
  /** Appends every entry as one JSON line here too (for a SIEM to tail). */
  file?: string;
  /** Entries older than this many days are removed (the chain records where it was cut). */
  retentionDays?: number;
}

const ROUTE_OF = new Map(Object.entries(ADMIN_ROUTES).map(([id, r]) => [`${r.method} ${toRouterPath(r.path)}`, id as AdminRouteId]));

/**
 * The audit log's edges: a refused admin call that never reached its route (no token, a wrong or
 * revoked one, a body the schema refused) is one entry too; every entry goes to the JSON-lines
 * file when one is configured; retention runs hourly. The entries of routes themselves are written
 * by admin/run.ts.
 */
export const auditPlugin = fp<AuditOptions>(async (app: FastifyInstance, opts) => {
  let file: WriteStream | undefined;
  if (opts.file) {
    file = createWriteStream(opts.file, { flags: "a", mode: 0o600 });
    file.on("error", (e) => app.log.error({ err: e }, "the audit file cannot be written"));
  }
  app.decorate("auditSink", (e: AuditEntry) => file?.write(JSON.stringify(e) + "\n"));

  // Callback style with an early return: every data-plane request passes this hook too.
  app.addHook("onResponse", (req, reply, done) => {
    if (req.audited || !isAdminRequest(req)) return done();
    void refused(req, reply.statusCode).finally(done);
  });
  const refused = async (req: FastifyRequest, status: number) => {
    const id = ROUTE_OF.get(`${req.method} ${req.routeOptions?.url ?? ""}`);
    const write = req.method !== "GET" && req.method !== "HEAD";
    // A throttled request (429) is not an entry: a flood of guesses would otherwise be a flood of
    // audit writes under the chain's lock. The 20 a minute before the throttle are; the rest are
    // counted in writer_admin_requests_total{status="429"}.
    if (status === 429 || !(status === 401 || status === 403 || (write && status >= 400))) return;
    const c = req.actor ? callerOf(req) : null;
    const e = {
      actor: c ? { token_id: c.actor.token_id, name: c.actor.name, role: c.actor.role } : null, source: c?.source ?? "api",
      request_id: String(req.id), remote_address: req.ip, action: id ? ACTIONS[id] : `${req.method} ${req.url.split("?")[0].slice(0, 200)}`,
      object: { kind: "admin_api", id: ((req.params as Record<string, string>)?.key_id ?? (req.params as Record<string, string>)?.id) ?? null },
      changes: {}, outcome: "refused" as const, pulumi: c?.pulumi ?? null,
    };
    try {
      app.auditSink(await app.store.audit.append(e));
    } catch (err) {
      req.log.error({ err }, "an audit entry could not be written");
    }
  };

  if (opts.retentionDays) {
    const days = opts.retentionDays;
    const purge = () => app.store.audit.purgeBefore(Date.now() - days * 86_400_000).catch((err) => app.log.error({ err }, "audit retention failed"));
    const t = setInterval(purge, 3600_000);
    t.unref();
    app.addHook("onReady", async () => void purge());
    app.addHook("onClose", async () => clearInterval(t));
  }
  app.addHook("onClose", async () => {
    await new Promise<void>((ok) => (file ? file.end(ok) : ok()));
  });
}, { name: "writer-audit", dependencies: ["writer-store"] });

declare module "fastify" {
  interface FastifyInstance {
    auditSink: (e: AuditEntry) => void;
  }
}
