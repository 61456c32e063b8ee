import fp from "fastify-plugin";
import { isWellFormedSecret, type Role } from "../../api";
import { HttpError } from "../errors";
import { bearer, isAdminRequest } from "./plugin";

/** The admin token a request was made with: its id, name, role and (a team_admin's) team. */
export interface AdminActor {
  token_id: string;
  name: string;
  role: Role;
  team_id: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    actor?: AdminActor;
  }
}

/** Failed admin authentications allowed per address and minute, before 429. */
export const AUTH_FAILURES_PER_MINUTE = 20;

/**
 * Counts failures per address in a sliding minute (bounded: an address that stops failing is
 * forgotten), so a client guessing tokens is slowed down to a handful of guesses a minute.
 * A token that has already worked from an address keeps working there while the address is
 * throttled: a broken job sharing a host (or a NAT) with a Pulumi run must not lock the run out,
 * and a guess that happens to be right still gets 429, so guessing learns nothing.
 */
export class FailureThrottle {
  private failures = new Map<string, number[]>();
  private known = new Map<string, Set<string>>();
  constructor(private perMinute = AUTH_FAILURES_PER_MINUTE, private clock = Date.now) {}

  /** Seconds to wait before this address may try again, or 0. */
  blocked(address: string): number {
    const now = this.clock();
    const f = (this.failures.get(address) ?? []).filter((t) => now - t < 60_000);
    if (f.length === 0) this.failures.delete(address);
    else this.failures.set(address, f);
    return f.length >= this.perMinute ? Math.max(1, Math.ceil((f[0] + 60_000 - now) / 1000)) : 0;
  }

  /** A token (by id) authenticated from this address while it was not throttled. */
  succeeded(address: string, tokenId: string): void {
    if (this.known.size > 100_000) this.known.clear();
    const k = this.known.get(address) ?? new Set<string>();
    if (k.size < 100) k.add(tokenId);
    this.known.set(address, k);
  }

  /** Whether a token may pass this address's throttle (it worked from here before). */
  knows(address: string, tokenId: string): boolean {
    return this.known.get(address)?.has(tokenId) ?? false;
  }

  fail(address: string): void {
    if (this.failures.size > 100_000) this.failures.clear();
    const f = this.failures.get(address) ?? [];
    f.push(this.clock());
    this.failures.set(address, f);
  }
}

/**
 * Admin routes: the admin token names an admin (an object with a role, see store/domain/tokens.ts).
 * A data-plane key gets 403, not 401; an address that keeps failing gets 429.
 */
export const adminAuthPlugin = fp<{ throttle?: FailureThrottle }>(async (app, opts) => {
  const throttle = opts.throttle ?? new FailureThrottle();
  app.decorate("authThrottle", throttle);
  // Callback style: it runs on every request, and the data plane's pass-through must cost nothing.
  app.addHook("onRequest", (req, _reply, done) => {
    // Leak reports authenticate by GitHub's signature (leaks/index.ts), not by an admin token.
    if (!isAdminRequest(req) || req.routeOptions?.url === "/v1/admin/secret-scanning") return done();
    const wait = throttle.blocked(req.ip);
    const tooMany = () => new HttpError(429, `too many failed sign-ins from this address; retry after ${wait} s`, { field: "Authorization", headers: { "retry-after": String(wait) } });
    const token = bearer(req.headers.authorization);
    if (!token) {
      if (wait > 0) return done(tooMany());
      throttle.fail(req.ip);
      return done(new HttpError(401, "missing Authorization: Bearer <admin token>", { field: "Authorization" }));
    }
    if (isWellFormedSecret(token)) return done(new HttpError(403, "an API key cannot call the admin API; use an admin token", { field: "Authorization" }));
    app.store.tokens.authenticate(token).then((row) => {
      if (wait > 0 && !(row && throttle.knows(req.ip, row.id))) return done(tooMany());
      if (!row) {
        throttle.fail(req.ip);
        return done(new HttpError(401, "invalid admin token", { field: "Authorization" }));
      }
      if (wait === 0) throttle.succeeded(req.ip, row.id);
      req.actor = { token_id: row.id, name: row.name, role: row.role, team_id: row.team_id };
      done();
    }, done);
  });
}, { name: "writer-admin-auth", dependencies: ["writer-errors", "writer-store"] });

declare module "fastify" {
  interface FastifyInstance {
    authThrottle: FailureThrottle;
  }
}
