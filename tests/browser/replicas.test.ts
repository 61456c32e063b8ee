/// <reference lib="dom" />
// The console on replicas (README "Console"): two writer-local processes on one PostgreSQL
// database behind a balancer with no sticky sessions. Signed in through replica A, the next pages
// come from replica B: the session and its CSRF token live in the store. An agent a Pulumi stack
// manages asks for confirmation before the console changes it; the audit page shows who did what.
import type { Browser, Page } from "playwright-core";
import { startBalancer, type Balancer } from "../helpers/balancer";
import { launchChromium, shot, signIn } from "../helpers/browser";
import { freshDatabase } from "../helpers/postgres";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

jest.setTimeout(120_000);

const TOKEN = "writer_admin_console-replicas-0123456789";
let a: LocalServer;
let b: LocalServer;
let lb: Balancer;
let to = "";
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const db = await freshDatabase("console");
  a = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", db] });
  b = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", db, "--pepper-file", `${a.dataDir}/pepper`] });
  to = a.url;
  lb = await startBalancer(() => [to]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await lb?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

test("signed in on replica A, the next pages and a form post are served by replica B", async () => {
  const api = admin(lb.url, TOKEN);
  // An agent a stack manages (created with the provider's headers).
  const managed = await api.post("/v1/admin/agents", { name: "managed-bot", capabilities: ["models"] }, {
    "x-pulumi-project": "platform", "x-pulumi-stack": "prod", "x-pulumi-urn": "urn:pulumi:prod::platform::writer:index:ApiAgent::bot", "x-pulumi-operation": "create",
  });
  expect(managed.status).toBe(201);

  await signIn(page, lb.url, TOKEN);
  expect(lb.served.get(new URL(a.url).origin)).toBeGreaterThan(0);
  to = b.url;
  const beforeB = lb.served.get(new URL(b.url).origin) ?? 0;
  await page.goto(`${lb.url}/console/agents/${managed.body.id}`);
  expect(page.url()).toBe(`${lb.url}/console/agents/${managed.body.id}`);
  expect(await page.getByRole("note").textContent()).toContain("managed by the Pulumi stack prod of project platform");
  await shot(page, "replica-b-managed-agent");

  // A change to it asks first, and says the next `pulumi up` will put it back.
  await page.getByRole("switch", { name: /Chat \(chat\)/ }).click();
  await page.waitForURL(/\/console\/agents\/.*\/capabilities/);
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Enable chat on managed-bot?");
  expect(await page.textContent("body")).toContain("the next `pulumi up` of that stack will put it back");
  expect((await api.get(`/v1/admin/agents/${managed.body.id}`)).body.capabilities).toEqual(["models"]);
  await page.getByRole("button", { name: "Change it anyway" }).click();
  await page.waitForURL(`${lb.url}/console/agents/${managed.body.id}#caps`);
  expect((await api.get(`/v1/admin/agents/${managed.body.id}`)).body.capabilities).toEqual(["chat", "models"]);
  expect(lb.served.get(new URL(b.url).origin)! - beforeB).toBeGreaterThanOrEqual(3);

  // The audit page (served by B) shows the sign-in and the console's change, by the bootstrap admin.
  await page.goto(`${lb.url}/console/audit`);
  const text = await page.textContent("body");
  expect(text).toContain("session.sign_in");
  expect(text).toContain("agent.capability_enable");
  const entries = (await api.get(`/v1/admin/audit?object_id=${managed.body.id}`)).body.data as any[];
  expect(entries[0]).toMatchObject({ action: "agent.capability_enable", source: "console", actor: { name: "bootstrap" }, changes: { capabilities: [["models"], ["chat", "models"]] } });
  await shot(page, "replica-b-audit");
});
