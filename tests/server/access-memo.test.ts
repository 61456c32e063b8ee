// The data plane's memo empties only on writes that can change an access decision: using keys
// (last_used_at) and recording idempotent answers leave it; revoking, disabling, capability
// changes and rotation empty it, so they hold from the very next request.
import type { Store } from "../../server/store";
import { openTestStore } from "../helpers/app";

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
/** How often the memo was emptied by a commit. */
const gen = () => (store.access as unknown as { stats: { invalidations: number } }).stats.invalidations;

test("key use and idempotency records keep the memo; access changes empty it", async () => {
  const a = (await store.agents.create({ name: "memo", capabilities: ["models"] })).value;
  const secret = a.default_key.secret;
  const allowed = () => store.access.authorize(secret, "models", Date.now(), undefined);
  expect(await allowed()).toMatchObject({ ok: true });

  // On PostgreSQL the notifications of a commit arrive a moment later: settle before each reading.
  const settled = async () => (await new Promise((ok) => setTimeout(ok, 150)), gen());
  const g = await settled();
  for (let i = 0; i < 50; i++) store.access.touch(a.default_key.id, Date.now());
  const k = await store.keys.get(a.id, a.default_key.id); // flushes the batched last_used_at
  expect(k.last_used_at).not.toBeNull();
  expect(await settled()).toBe(g);
  // The team insert is a write: one step. Its idempotency record's release is not.
  const ctx = store.idempotency.context("scope", "key-1", { name: "x" });
  await store.teams.create("memo team", { ctx, status: 201 });
  const g2 = await settled();
  expect(g2).toBe(g + 1);
  expect(await store.idempotency.release([ctx.rowKey])).toBe(1);
  expect(await settled()).toBe(g2);

  const before = gen();
  await store.agents.setCapability(a.id, "models", false);
  expect(gen()).toBeGreaterThan(before);
  expect(await allowed()).toMatchObject({ ok: false, refusal: "capability" });
  await store.agents.setCapability(a.id, "models", true);
  await store.keys.update(a.id, a.default_key.id, { status: "disabled" });
  expect(await allowed()).toMatchObject({ ok: false, refusal: "disabled" });
  await store.keys.update(a.id, a.default_key.id, { status: "active" });
  await store.keys.regenerate(a.id, a.default_key.id, 0);
  expect(await allowed()).toMatchObject({ ok: false, refusal: "unknown_key" });
});

test("an admin token's last use is written once a minute, also across the memo's emptying; a revoked token is refused at once", async () => {
  const t = await store.tokens.create({ name: "memo-admin", role: "org_admin" });
  const lastUsed = async () => (await store.tokens.get(t.value.id)).last_used_at;
  expect(await store.tokens.authenticate(t.value.secret)).toMatchObject({ id: t.value.id });
  await new Promise((ok) => setTimeout(ok, 150));
  const first = await lastUsed();
  expect(first).not.toBeNull();
  // Key creates are access-relevant commits: each empties the memo, and the token is looked up again.
  const a = (await store.agents.create({ name: "memo-admin-agent", capabilities: ["models"] })).value;
  for (let i = 0; i < 3; i++) {
    await store.keys.create(a.id, { name: `k${i}`, scope: "all_teams" });
    await new Promise((ok) => setTimeout(ok, 20));
    expect(await store.tokens.authenticate(t.value.secret)).toMatchObject({ id: t.value.id });
  }
  await new Promise((ok) => setTimeout(ok, 150));
  expect(await lastUsed()).toBe(first);
  await store.tokens.revoke(t.value.id);
  expect(await store.tokens.authenticate(t.value.secret)).toBeUndefined();
});
