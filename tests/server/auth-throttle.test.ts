// Failed admin sign-ins are throttled per address (README "Admin tokens and roles"): after 20 in a
// minute the address gets 429 with Retry-After, a right guess included; a token that already
// worked from that address keeps working, so a broken job cannot lock out a working one.
import { AUTH_FAILURES_PER_MINUTE } from "../../server/plugins/auth";
import { useApp } from "../helpers/app";

const srv = useApp();

test("20 failures a minute, then 429 for guesses (right ones too) but not for a token that worked here", async () => {
  const fresh = await srv.api.post("/v1/admin/tokens", { name: "made-before-the-attack", role: "viewer" });
  expect(fresh.status).toBe(201);
  for (let i = 0; i < AUTH_FAILURES_PER_MINUTE; i++) expect((await srv.as(`wrong-admin-token-${i}-xxxxxxxxxx`).get("/v1/admin/agents")).status).toBe(401);
  const blocked = await srv.as("wrong-admin-token-once-more-xxxxxxx").get("/v1/admin/agents");
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(blocked.body.errors[0].extras.field).toBe("Authorization");
  // A valid token never used from here is indistinguishable from a guess while the address is throttled.
  expect((await srv.as(fresh.body.secret).get("/v1/admin/agents")).status).toBe(429);
  expect((await srv.as(undefined).get("/v1/admin/agents")).status).toBe(429);
  // The admin token that worked before the failures still works.
  expect((await srv.api.get("/v1/admin/agents")).status).toBe(200);
});

test("refused sign-ins are audited until the throttle; a flood of guesses past it writes no entries", async () => {
  const newest = async () => (await srv.api.get("/v1/admin/audit?limit=100")).body.data as any[];
  // A refusal's entry is written once its answer has gone out: wait for the last of them.
  const refusals = async () => (await newest()).filter((e) => e.outcome === "refused" && e.actor === null).length;
  for (let i = 0; i < 50 && (await refusals()) < AUTH_FAILURES_PER_MINUTE; i++) await new Promise((r) => setTimeout(r, 20));
  // The 20 wrong tokens of the first test; its throttled calls (429), the right guess's included, are not.
  expect(await refusals()).toBe(AUTH_FAILURES_PER_MINUTE);
  const before = (await newest())[0].id;
  for (let i = 0; i < 50; i++) expect((await srv.as(`another-wrong-token-${i}-xxxxxxxxxxxx`).get("/v1/admin/agents")).status).toBe(429);
  expect((await newest())[0].id).toBe(before);
});
