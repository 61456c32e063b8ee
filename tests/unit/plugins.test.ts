// writer-local's plugins say what they need by name: one registered without what it depends on
// fails at start-up, naming the missing plugin, instead of misbehaving at the first request.
import Fastify from "fastify";
import { idempotencyPlugin } from "../../server/plugins/idempotency";
import { errorHandlerPlugin } from "../../server/plugins/errors";
import { bodyPlugin } from "../../server/plugins/body";

test("a plugin registered before what it depends on fails at start-up, naming it", async () => {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  await app.register(bodyPlugin);
  await expect(app.register(idempotencyPlugin, { adminToken: "t" })).rejects.toThrow(/writer-store/);
  const alone = Fastify();
  await expect(alone.register(bodyPlugin)).rejects.toThrow(/writer-errors/);
});
