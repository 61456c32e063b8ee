// Drift made by hand in the console, seen by the real engine: a key revoked in the console makes
// `pulumi preview --refresh --expect-no-changes` fail for the stack that manages it, and
// `pulumi up --refresh` creates it again.
import { admin, startLocalServer, type LocalServer } from "../helpers/server";
import { ProjectStack } from "../helpers/pulumi";
import { launchChromium, shot, signIn } from "../helpers/browser";
import type { Browser } from "playwright-core";

jest.setTimeout(300_000);

let srv: LocalServer;
let browser: Browser;
beforeAll(async () => {
  srv = await startLocalServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

test("a key revoked in the console is drift for its stack, and up --refresh recreates it", async () => {
  const p = new ProjectStack("console-drift", `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("drift-agent", { name: "Drift agent", capabilities: ["models"] });
const k = new writer.ApiKey("drift-key", { agentId: a.id, name: "managed" });
export const agentId = a.id; export const keyId = k.id; export const secret = k.secret;
`);
  await p.init("test", { "writer:baseUrl": srv.url }, { "writer:adminToken": srv.adminToken });
  await p.up();
  const before = await p.outputs(true);

  const page = await browser.newPage();
  await signIn(page, srv.url, srv.adminToken);
  await page.getByRole("link", { name: "Drift agent" }).click();
  await page.getByRole("link", { name: "managed" }).click();
  await page.getByRole("link", { name: "Revoke" }).click();
  await page.getByRole("button", { name: "Revoke managed" }).click();
  await shot(page, "drift-revoked");
  expect((await admin(srv.url, before.secret).get("/v1/models")).status).toBe(401);

  const drift = await p.run(["preview", "--refresh", "--expect-no-changes"], { allowFail: true });
  expect(drift.code).not.toBe(0);
  expect(drift.stdout + drift.stderr).toMatch(/drift-key/);

  await p.up(["--refresh"]);
  const after = await p.outputs(true);
  expect(after.keyId).not.toBe(before.keyId);
  expect((await admin(srv.url, after.secret).get("/v1/models")).status).toBe(200);
  expect((await p.run(["preview", "--refresh", "--expect-no-changes"])).code).toBe(0);
  await p.destroy();
});
