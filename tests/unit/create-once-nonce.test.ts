// Which creates share an Idempotency-Key (provider/createOnce.ts): a first create and its retry do;
// a replacement and the create before it never do.
import { creationNonceOf, withNonce } from "../../provider/createOnce";

const news: { creationKey: string; name: string; agentId: string; creationNonce?: string } = { creationKey: "proj/stack/ApiKey/k", name: "k", agentId: "a" };

test("a first create has no nonce, and its retry after a crash has none either", () => {
  expect(withNonce({ ...news }, {})).toEqual(news);
  expect(withNonce({ ...news }, {})).toEqual(news);
});

test("an update keeps the stored nonce (no churn); the replacement's second check, with no olds, gets a new one", () => {
  const olds = { ...news, creationNonce: "n0", __provider: "code" };
  expect(withNonce({ ...news, name: "k2" }, olds)).toEqual({ ...news, name: "k2", creationNonce: "n0" });
  const replaced = withNonce({ ...news }, {});
  expect(replaced.creationNonce).toBe(creationNonceOf(olds));
  expect(replaced.creationNonce).not.toBe("n0");
});

test("successive replacements get different nonces; a retried replacement the same one", () => {
  const gen0 = { ...news };
  withNonce(news, gen0);
  const gen1 = withNonce({ ...news }, {});
  withNonce(news, gen1);
  const gen2 = withNonce({ ...news }, {});
  expect(gen2.creationNonce).not.toBe(gen1.creationNonce);
  withNonce(news, gen1);
  expect(withNonce({ ...news }, {}).creationNonce).toBe(gen2.creationNonce);
});
