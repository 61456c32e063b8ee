import { globalPlugin } from "./plugin";
import type { Store } from "../store";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

export const storePlugin = globalPlugin<{ store: Store }>(async (app, { store }) => {
  app.decorate("store", store);
  app.addHook("onClose", async () => store.close());
});
