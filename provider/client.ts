import { randomUUID } from "node:crypto";
import axios, { AxiosError, AxiosInstance, AxiosRequestConfig } from "axios";
import axiosRetry, { exponentialDelay } from "axios-retry";
import pLimit from "p-limit";
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER, type PageOf } from "../api";
import { resolveConfig, type ClientSettings, type WriterConfig } from "./config";
import { cancellation, throwIfCancelled } from "./cancel";
import { pulumiHeaders } from "./context";
import { toWriterError } from "./errors";

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Writer's clients retry 408/409/429/5xx and connection failures; so do we (409 only for an idempotent request still in flight). */
export function isRetryable(err: AxiosError): boolean {
  if (!err.response) return err.code !== "ERR_CANCELED";
  const s = err.response.status;
  if (s === 409) {
    const key = (err.response.data as { errors?: { key?: string }[] })?.errors?.[0]?.key;
    return key === "fail.conflict.idempotencyRequestInProgress";
  }
  return RETRY_STATUSES.has(s);
}

// One limit per provider process (per concurrency setting): the engine runs up to 4 x cores
// resource operations at once, and bursts of key creates are what rate limits punish (lessons.md).
const limits = new Map<number, ReturnType<typeof pLimit>>();
const limitOf = (n: number) => limits.get(n) ?? limits.set(n, pLimit(n)).get(n)!;

/**
 * The one place that owns transport: auth, timeouts, retries with backoff and jitter honouring
 * Retry-After, an Idempotency-Key per logical POST reused by every retry, the process-wide
 * concurrency limit, and mapping failures to the error family.
 */
export class AdminClient {
  private readonly http: AxiosInstance;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(readonly config: Pick<WriterConfig, "baseUrl" | "adminToken"> & { client?: Partial<ClientSettings> }) {
    const s = { timeoutMs: 30000, retries: 8, backoffMs: 200, maxConcurrency: 8, ...config.client };
    this.limit = limitOf(s.maxConcurrency);
    this.http = axios.create({
      baseURL: config.baseUrl,
      timeout: s.timeoutMs,
      headers: { Authorization: `Bearer ${config.adminToken}`, "User-Agent": "pulumi-writer" },
      // Timeouts surface as ETIMEDOUT, so toWriterError can tell them from other failures.
      transitional: { clarifyTimeoutError: true },
    });
    axiosRetry(this.http, {
      retries: s.retries,
      retryCondition: isRetryable,
      retryDelay: (n, err) => Math.min(exponentialDelay(n, err, s.backoffMs), 30000),
      shouldResetTimeout: true,
    });
  }

  async request<T>(method: string, path: string, body?: unknown, cfg: AxiosRequestConfig = {}): Promise<T> {
    return (await this.requestWithMeta<T>(method, path, body, cfg)).data;
  }

  /** Like request, also telling whether the server replayed an earlier answer to the same Idempotency-Key. */
  async requestWithMeta<T>(method: string, path: string, body?: unknown, cfg: AxiosRequestConfig = {}): Promise<{ data: T; replayed: boolean; status: number }> {
    const headers: Record<string, string | false> = { ...pulumiHeaders(), ...(cfg.headers as Record<string, string>) };
    if (method === "post") headers[IDEMPOTENCY_HEADER] ??= randomUUID();
    // A bodiless PUT/DELETE must not claim a form-encoded body (axios' default for PUT).
    if (body === undefined) headers["Content-Type"] = false;
    throwIfCancelled();
    return this.limit(async () => {
      throwIfCancelled();
      try {
        const res = await this.http.request<T>({ ...cfg, method, url: path, data: body, headers, signal: cancellation });
        return { data: res.data, replayed: res.headers[REPLAYED_HEADER] === "true", status: res.status };
      } catch (e) {
        throwIfCancelled();
        throw axios.isAxiosError(e) ? toWriterError(e) : e;
      }
    });
  }

  get<T>(path: string, params?: Record<string, unknown>) {
    return this.request<T>("get", path, undefined, { params });
  }
  post<T>(path: string, body: unknown, idempotencyKey?: string) {
    return this.request<T>("post", path, body, idempotencyKey ? { headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } } : {});
  }
  postWithMeta<T>(path: string, body: unknown, idempotencyKey: string) {
    return this.requestWithMeta<T>("post", path, body, { headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>("patch", path, body);
  }
  put<T>(path: string) {
    return this.request<T>("put", path);
  }
  delete(path: string) {
    return this.request<void>("delete", path);
  }

  /**
   * A data-plane call with another credential (an API key), through the same retries, limit and
   * error mapping; answers the status instead of throwing for 4xx, so a caller can tell
   * "refused" (401) from "authenticated" (200, or 403 for a missing capability).
   */
  async probe(path: string, bearer: string): Promise<number> {
    const r = await this.requestWithMeta("get", path, undefined, {
      headers: { Authorization: `Bearer ${bearer}` },
      validateStatus: (s) => s < 500 && s !== 408 && s !== 429,
    });
    return r.status;
  }

  /** Walks every page of a Writer cursor-paginated list. */
  async *list<T extends { id: string }>(path: string, params: Record<string, unknown> = {}): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const page = await this.get<PageOf<T>>(path, { ...params, limit: 100, order: "asc", ...(after ? { after } : {}) });
      yield* page.data;
      if (!page.has_more || !page.last_id) return;
      after = page.last_id;
    }
  }
}

/** Encodes one path segment, refusing `.`/`..` so an id can never walk the path. */
export function seg(v: string): string {
  if (!v || v === "." || v === "..") throw new Error(`invalid id ${JSON.stringify(v)}`);
  return encodeURIComponent(v);
}

let cached: { key: string; client: AdminClient } | undefined;

/** The client for the current configuration (one per process, rebuilt if the config changes). */
export function client(): AdminClient {
  const cfg = resolveConfig();
  const key = JSON.stringify([cfg.baseUrl, cfg.adminToken, cfg.client]);
  if (!cached || cached.key !== key) cached = { key, client: new AdminClient(cfg) };
  return cached.client;
}
