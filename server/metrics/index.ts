import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { HttpError } from "../errors";
import { bearer } from "../plugins/plugin";
import type { Store } from "../store";

/**
 * writer-local's Prometheus metrics (prom-client). Every label's values are bounded by the
 * contract (capabilities, statuses, refusal reasons, token kinds), never an agent, a key or a
 * secret: 1,000 agents make no more series than one.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: "writer_dataplane_requests_total", help: "Data-plane requests answered, by capability and status", labelNames: ["capability", "status"], registers: [this.registry] });
  readonly refusals = new Counter({ name: "writer_dataplane_refusals_total", help: "Data-plane requests refused, by reason", labelNames: ["reason"], registers: [this.registry] });
  readonly limitRejections = new Counter({ name: "writer_limit_rejections_total", help: "Requests turned away by a key's limit (429 or a request larger than the limit)", labelNames: ["limit"], registers: [this.registry] });
  readonly tokens = new Counter({ name: "writer_tokens_total", help: "Tokens counted, as Writer reported them or as the gateway estimated them", labelNames: ["part", "kind"], registers: [this.registry] });
  readonly upstreamSeconds = new Histogram({ name: "writer_upstream_duration_seconds", help: "Time from sending a request to Writer to the end of its answer", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [this.registry] });
  readonly upstreamTtfb = new Histogram({ name: "writer_upstream_time_to_first_byte_seconds", help: "Time from sending a request to Writer to its answer's headers", buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly streams = new Gauge({ name: "writer_streams_in_flight", help: "Server-Sent Event streams being passed to clients", registers: [this.registry] });
  readonly adminRequests = new Counter({ name: "writer_admin_requests_total", help: "Admin API requests answered, by status", labelNames: ["status"], registers: [this.registry] });

  /** Each (capability, status) series' child, so a request costs one map lookup, not a label hash. */
  private requestSeries = new Map<string, { inc(): void }>();

  /** One data-plane request answered (the hot path: called on every request). */
  countRequest(capability: string, status: number): void {
    const k = `${capability} ${status}`;
    let c = this.requestSeries.get(k);
    if (!c) this.requestSeries.set(k, (c = this.requests.labels(capability, String(status))));
    c.inc();
  }

  constructor(store: Store) {
    collectDefaultMetrics({ register: this.registry, prefix: "writer_process_" });
    const stats = () => store.stats();
    new Counter({
      name: "writer_access_memo_lookups_total", help: "Data-plane key decisions answered from the memo (hit) or by the database (miss)", labelNames: ["result"], registers: [this.registry],
      collect() {
        const s = stats();
        this.reset();
        this.inc({ result: "hit" }, s.memo);
        this.inc({ result: "miss" }, s.database);
      },
    });
    new Gauge({
      name: "writer_usage_flush_lag_seconds", help: "Seconds since usage counts were last written to the database", registers: [this.registry],
      collect() {
        this.set((Date.now() - stats().lastUsageFlush) / 1000);
      },
    });
    new Gauge({
      name: "writer_database_pool_connections", help: "PostgreSQL pool connections, by state (none on SQLite)", labelNames: ["state"], registers: [this.registry],
      collect() {
        const p = stats().pool;
        this.reset();
        if (p) for (const [state, n] of Object.entries(p)) this.set({ state }, n);
      },
    });
    this.wrap(store);
  }

  /** Counts refusals and tokens where the store takes them, so no stage of the pipeline can forget to. */
  private wrap(store: Store): void {
    const refuse = store.usage.refuse.bind(store.usage);
    store.usage.refuse = (keyId, agentId, reason, now) => {
      this.refusals.inc({ reason });
      if (reason === "requests_per_minute" || reason === "tokens_per_minute" || reason === "token_budget") this.limitRejections.inc({ limit: reason });
      refuse(keyId, agentId, reason, now);
    };
    const spend = store.usage.spend.bind(store.usage);
    store.usage.spend = (p, r, s, now) => {
      const add = (part: string, total: number, estimated: number) => {
        if (total - estimated > 0) this.tokens.inc({ part, kind: "reported" }, total - estimated);
        if (estimated > 0) this.tokens.inc({ part, kind: "estimated" }, estimated);
      };
      add("prompt", s.prompt, s.estimatedPrompt);
      add("completion", s.completion, s.estimatedCompletion);
      spend(p, r, s, now);
    };
  }
}

/** GET /metrics in Prometheus text format, for an org_admin or viewer token (on the admin listener). */
export async function metricsRoute(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  app.get("/metrics", { schema: { hide: true } }, async (req, reply) => {
    const token = bearer(req.headers.authorization);
    const row = token ? await app.store.tokens.authenticate(token) : undefined;
    if (!row) throw new HttpError(401, "GET /metrics needs an org_admin or viewer admin token", { field: "Authorization" });
    if (row.role === "team_admin") throw new HttpError(403, "this needs the org_admin or viewer role (this token is team_admin)", { field: "Authorization" });
    return reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
}
