import fp from "fastify-plugin";

import type { Store } from "../store";
import { IDEMPOTENCY_TTL_MS } from "../store/idempotency";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

export interface StorePluginOptions {
  [k: string]: unknown;
  store: Store;
  /** How often expired idempotency records are purged (default hourly; they live 24 h). */
  purgeIntervalMs?: number;
  /** Close the store with the app (the one listener that owns it). */
  closesStore: boolean;
}

/** The store, closed with the app; expired idempotency records purged at start and on a schedule. */
export const storePlugin = fp<StorePluginOptions>(async (app, { store, purgeIntervalMs, closesStore }) => {
  app.decorate("store", store);
  const purge = () =>
    store.idempotency.purgeExpired().catch((err: Error) => app.log.warn({ err: { type: err.name } }, "idempotency purge failed"));
  await purge();
  const timer = setInterval(purge, purgeIntervalMs ?? Math.min(IDEMPOTENCY_TTL_MS / 24, 3_600_000));
  timer.unref();
  app.addHook("onClose", async () => {
    clearInterval(timer);
    if (closesStore) await store.close();
  });
}, { name: "writer-store" });
