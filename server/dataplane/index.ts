import { EventEmitter } from "node:events";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DATA_PLANE_BODIES, errorBody, TEAM_HEADER, toRouterPath, type Capability } from "../../api";
import { ApiError } from "../errors";
import { bearer } from "../plugins/plugin";
import { hasLimits } from "../store/types";
import type { Admission, Decision, ObjectKind, Principal, Refusal, Store } from "../store";
import { ENDPOINTS, type EndpointRule } from "./endpoints";
import { SseUsageTap, sseError, tokensOf } from "./sse";
import { type Upstream, type UpstreamResponse, UpstreamError } from "./upstream";

declare module "fastify" {
  interface FastifyRequest {
    /** The key a data-plane request was authorized as. */
    principal?: Principal;
  }
}

export interface DataPlaneOptions {
  [k: string]: unknown;
  upstream: Upstream;
  /** Largest upload (POST /v1/files) in bytes; 413 past it. */
  uploadLimitBytes: number;
  /** Largest JSON body in bytes; 413 past it. */
  jsonLimitBytes: number;
  clock: () => number;
}

/** The store's refusal -> Writer's answer. Unknown, revoked, disabled and expired keys all look alike (401). */
export function refusalError(r: Refusal, capability: Capability): ApiError {
  switch (r) {
    case "capability":
      return new ApiError(403, `this key's agent lacks the "${capability}" capability`, { field: "Authorization" });
    case "team":
      return new ApiError(403, "this key is scoped to another team", { field: "X-Writer-Team-Id" });
    default:
      return new ApiError(401, "Invalid token", { field: "Authorization" });
  }
}

/** Answer headers a client needs; everything else of the upstream's stays there. */
const RETURNED = /^(content-type|content-disposition|cache-control|x-request-id|request-id|retry-after|retry-after-ms|x-ratelimit-.*|ratelimit.*)$/i;

class UploadTooLarge extends Error {}

/** Counts an upload as it streams and fails it past the limit: it is never held whole in memory. */
function limited(source: Readable, limit: number, onTooLarge: () => void): Readable {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _e, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        onTooLarge();
        return done(new UploadTooLarge(`the upload is larger than ${limit} bytes`));
      }
      done(null, chunk);
    },
  });
  source.on("error", (e) => t.destroy(e));
  return source.pipe(t);
}

/**
 * Writer's data plane, in front of an Upstream (Writer's API, or writer-local's canned answers):
 * a request comes in -> authorize (the store's decision, from the very next request after any
 * admin change) -> limits -> the body is validated by the contract's schema -> the objects it names
 * must be the caller's -> forwarded -> the answer is returned as it streams, while its usage and
 * the objects it creates are recorded. Refused requests never reach the upstream.
 */
export async function dataPlaneRoutes(app: FastifyInstance, opts: DataPlaneOptions): Promise<void> {
  const { access, usage, objects } = app.store as Store;
  const { upstream, clock } = opts;
  app.addHook("onClose", () => upstream.close());

  // Callback style, and no await when the store answers from its memo: this runs on every
  // data-plane request, and a promise per request is a measurable share of its cost.
  const authorize = (capability: Capability) => (req: FastifyRequest, reply: FastifyReply, done: (e?: Error) => void) => {
    const team = req.headers[TEAM_HEADER];
    const now = clock();
    const decided = (d: Decision) => {
      if (!d.ok) {
        if (d.keyId) usage.refuse(d.keyId, d.agentId!, d.refusal, now);
        return done(refusalError(d.refusal, capability));
      }
      const principal = d.principal;
      const admitted = (a: Admission) => {
        if (!a.ok) {
          return done(new ApiError(429, `this key's ${a.reason.replace(/_/g, " ")} limit is reached; retry after ${a.retryAfterSeconds} s`, {
            field: "Authorization", headers: { "retry-after": String(a.retryAfterSeconds) },
          }));
        }
        req.principal = principal;
        access.touch(principal.keyId, now);
        done();
      };
      // Shared limits (replicas on one database) answer with a promise; in-memory ones at once.
      const a = usage.admit(principal, now);
      if (a instanceof Promise) a.then(admitted, done);
      else admitted(a);
    };
    const d = access.authorize(bearer(req.headers.authorization) ?? "", capability, now, Array.isArray(team) ? team[0] : team);
    if (d instanceof Promise) d.then(decided, done);
    else decided(d);
  };

  const visible = async (kind: ObjectKind, id: unknown, p: Principal): Promise<boolean> => {
    if (typeof id !== "string") return false;
    const o = await objects.ownerOf(kind, id);
    return !!o && o.agentId === p.agentId && (o.teamId === null || p.scope === "all_teams" || o.teamId === p.teamId);
  };

  /** Objects named by the path or the body must be the caller's; anything else does not exist for it. */
  const checkRefs = async (req: FastifyRequest, rule: EndpointRule, p: Principal) => {
    for (const [param, kind] of Object.entries(rule.params ?? {})) {
      const id = (req.params as Record<string, string>)[param];
      if (!(await visible(kind, id, p))) throw new ApiError(404, `${kind} ${id} was not found`, { field: param });
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    for (const ref of rule.bodyRefs ?? []) {
      const v = body[ref.field];
      if (v === undefined || v === null) continue;
      const ids = (Array.isArray(v) ? v : [v]).map((x) => (ref.each ? (x as Record<string, unknown>)?.[ref.each] : x));
      for (const [i, id] of ids.entries()) {
        if (!(await visible(ref.kind, id, p))) {
          throw new ApiError(404, `${ref.kind} ${String(id)} was not found`, { field: Array.isArray(v) ? `${ref.field}.${i}${ref.each ? `.${ref.each}` : ""}` : ref.field });
        }
      }
    }
  };

  const returnHeaders = (reply: FastifyReply, headers: Record<string, string | string[] | undefined>) => {
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && RETURNED.test(k)) reply.header(k, v);
  };

  const readAll = async (body: Readable): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };

  // Not async: an upstream that answers at once (the canned answers) is answered in the same turn,
  // without a promise per request; the rest returns the promise Fastify waits for.
  // A promise must resolve to the reply (Fastify would otherwise send again over a stream not yet
  // begun); a handler that sent at once returns nothing.
  const handle = (rule: EndpointRule) => (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined => {
    const p = req.principal!;
    if (rule.names) return checkRefs(req, rule, p).then(() => send(rule, req, reply, p));
    const sent = send(rule, req, reply, p);
    return sent instanceof Promise ? sent : undefined;
  };

  const send = (rule: EndpointRule, req: FastifyRequest, reply: FastifyReply, p: Principal): FastifyReply | Promise<FastifyReply> => {
    // A client that goes away takes its upstream request with it (a stream too). Made when the
    // upstream asks for it: the canned answers never do, and a listener per request costs.
    let signal: (EventEmitter & { aborted?: boolean }) | undefined;
    const abortSignal = () => {
      if (signal) return signal;
      const s: EventEmitter & { aborted?: boolean } = (signal = new EventEmitter());
      const gone = () => {
        if (!reply.raw.writableFinished) {
          s.aborted = true;
          s.emit("abort");
        }
      };
      if (req.raw.socket?.destroyed) gone();
      else reply.raw.on("close", gone);
      return s;
    };
    let body: string | Readable | undefined;
    let tooLarge = false;
    const uploadTooLarge = () => new ApiError(413, `the upload is larger than ${opts.uploadLimitBytes} bytes`, { field: "(body)", headers: { connection: "close" } });
    if (rule.upload) {
      const declared = Number(req.headers["content-length"]);
      if (declared > opts.uploadLimitBytes) throw uploadTooLarge();
      body = req.body ? limited(req.body as Readable, opts.uploadLimitBytes, () => (tooLarge = true)) : undefined;
    } else body = req.rawBody;
    const failed = (e: unknown): never => {
      if (tooLarge) throw uploadTooLarge();
      if (e instanceof UpstreamError) throw new ApiError(e.status, e.message);
      throw e;
    };
    let res: UpstreamResponse | Promise<UpstreamResponse>;
    try {
      res = upstream.request({ method: req.method, path: req.url, headers: req.headers, body, signal: abortSignal });
    } catch (e) {
      return failed(e);
    }
    if (res instanceof Promise) return res.then((r) => answer(rule, req, reply, p, r), failed);
    return answer(rule, req, reply, p, res);
  };

  const answer = (rule: EndpointRule, req: FastifyRequest, reply: FastifyReply, p: Principal, res: UpstreamResponse): FastifyReply | Promise<FastifyReply> => {
    reply.code(res.status);
    returnHeaders(reply, res.headers);
    const ok = res.status >= 200 && res.status < 300;
    const type = String(res.headers["content-type"] ?? "");

    if (type.startsWith("text/event-stream")) {
      // Streamed chunk by chunk with backpressure; its usage is read on the way.
      const tap = new SseUsageTap();
      const source = res.body ?? Readable.from([res.bytes]);
      source.on("error", () => {
        if (!tap.writableEnded) tap.end(sseError(errorBody(504, "Writer's API stopped answering mid-stream; the request may be retried")));
      });
      tap.on("end", () => {
        if (tap.usage) usage.record(p.keyId, p.agentId, tap.usage.prompt, tap.usage.completion, clock(), hasLimits(p.limits));
      });
      return reply.send(source.pipe(tap));
    }
    if (ok && (rule.creates || rule.lists || rule.generates) && type.includes("json")) return readJson(rule, reply, p, res, type);
    // Anything else passes through as it is, streamed (or at once, when the upstream holds it whole).
    if (res.bytes) return reply.send(res.bytes);
    const length = res.headers["content-length"];
    if (length !== undefined) reply.header("content-length", length);
    return reply.send(res.body);
  };

  /**
   * Small JSON answers that the gateway must read before the client does: the id of what was
   * created (recorded before the client can name it), the caller's own objects of a list, the
   * tokens used.
   */
  const readJson = async (rule: EndpointRule, reply: FastifyReply, p: Principal, res: UpstreamResponse, type: string): Promise<FastifyReply> => {
    const raw = res.bytes ?? (await readAll(res.body));
    let json: any;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return reply.send(raw);
    }
    if (rule.creates && typeof json?.id === "string") await objects.own(rule.creates, json.id, { agentId: p.agentId, teamId: p.scope === "team" ? p.teamId : null }, clock());
    if (rule.generates) {
      const t = tokensOf(json?.usage);
      if (t) usage.record(p.keyId, p.agentId, t.prompt, t.completion, clock(), hasLimits(p.limits));
    }
    if (rule.lists && Array.isArray(json?.[rule.lists.field])) {
      const kept = [];
      for (const item of json[rule.lists.field]) if (await visible(rule.lists.kind, item?.id, p)) kept.push(item);
      json[rule.lists.field] = kept;
      return reply.type(type).send(JSON.stringify(json));
    }
    return reply.type(type).send(raw);
  };

  for (const rule of ENDPOINTS) {
    const body = DATA_PLANE_BODIES[`${rule.method} ${rule.path}`];
    const route = {
      method: rule.method as "GET",
      url: toRouterPath(rule.path),
      bodyLimit: opts.jsonLimitBytes,
      schema: { hide: true, ...(body ? { body } : {}) },
      onRequest: authorize(rule.capability),
      handler: handle(rule),
    };
    if (!rule.upload) {
      app.route(route);
      continue;
    }
    // Uploads are streamed through: in a context of their own, every body is handed on unread.
    await app.register(async (upload) => {
      upload.removeAllContentTypeParsers();
      upload.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
      upload.route(route);
    });
  }
}
