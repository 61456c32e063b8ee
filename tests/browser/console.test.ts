/// <reference lib="dom" />
// The console in real headless Chromium against a real writer-local: sign in, create an agent,
// switch a capability, generate a key and read its secret once, use it on the data plane, see the
// usage chart, revoke it and see the next call refused. A screenshot of every page is saved under
// .tmp/screenshots/.
import type { Browser, Page } from "playwright-core";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";
import { launchChromium, shot, signIn } from "../helpers/browser";

jest.setTimeout(120_000);

let srv: LocalServer;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  srv = await startLocalServer();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

test("sign in, agent, capability, key shown once, data plane, usage chart, revoke", async () => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${srv.url}/console`);
  expect(page.url()).toBe(`${srv.url}/console/sign-in`);
  await shot(page, "sign-in");
  await signIn(page, srv.url, srv.adminToken);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "wl_console")!;
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false, path: "/console" });
  expect(session.expires).toBeGreaterThan(Date.now() / 1000);
  expect(await page.content()).not.toContain(srv.adminToken);

  // Create an agent (named to prove escaping) with one capability.
  await page.getByRole("link", { name: "New agent" }).click();
  await page.getByLabel("Name").fill("<img src=x onerror=alert(1)> bot");
  await page.getByLabel("Description").fill("Answers tickets");
  await page.getByRole("checkbox", { name: /^Models/ }).check();
  await page.getByRole("button", { name: "Create agent" }).click();
  await page.waitForURL(/\/console\/agents\/[0-9a-f-]{36}$/);
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("<img src=x onerror=alert(1)> bot");
  const agentUrl = page.url();
  const agentId = agentUrl.split("/").pop()!;
  await shot(page, "agent-created");

  // Switch chat on.
  await page.getByRole("switch", { name: /Chat \(chat\)/ }).click();
  expect(await page.getByRole("switch", { name: /Chat \(chat\)/ }).getAttribute("aria-checked")).toBe("true");
  const api = admin(srv.url, srv.adminToken);
  expect((await api.get(`/v1/admin/agents/${agentId}`)).body.capabilities).toEqual(["chat", "models"]);

  // Generate a key: its secret is shown once, with a warning, and is gone after a reload.
  await page.getByRole("link", { name: "Generate key" }).click();
  await page.getByLabel("Name").fill("ci");
  await page.getByLabel("Requests per minute (optional)").fill("100");
  await shot(page, "key-new");
  await page.getByRole("button", { name: "Generate key" }).click();
  await page.getByText("It will not be shown again.").waitFor();
  const secret = await page.getByLabel("Secret").inputValue();
  expect(secret).toMatch(/^writer_sk_/);
  await shot(page, "key-secret-once");
  await page.reload();
  expect(await page.getByLabel("Secret").count()).toBe(0);
  expect(await page.content()).not.toContain(secret);

  // Use it on the data plane; the key page shows the traffic as a chart.
  const plane = admin(srv.url, secret);
  for (let i = 0; i < 5; i++) expect((await plane.get("/v1/models")).status).toBe(200);
  expect((await plane.post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
  await page.reload();
  const bars = await page.locator("svg.chart rect.bar").evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute("height")) > 0).length);
  expect(bars).toBeGreaterThanOrEqual(1);
  expect(await page.getByText(/Total: 6 requests/).count()).toBe(1);
  await shot(page, "key-usage");

  // Revoke it in the console (a confirmation naming the key), and the next call is refused.
  await page.getByRole("link", { name: "Revoke" }).click();
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Revoke the key "ci" of <img src=x onerror=alert(1)> bot?`);
  await shot(page, "confirm-revoke");
  await page.getByRole("button", { name: "Revoke ci" }).click();
  expect((await plane.get("/v1/models")).status).toBe(401);
  await page.goto(agentUrl);
  await shot(page, "agent");
  expect(dialogs).toEqual([]);

  // Teams and users, read-only; the agents list.
  await page.getByRole("link", { name: "Teams" }).click();
  expect(await page.getByRole("cell", { name: "Support", exact: true }).count()).toBe(1);
  await shot(page, "teams");
  await page.getByRole("link", { name: "Users" }).click();
  expect(await page.getByRole("cell", { name: "lead@example.com", exact: true }).count()).toBe(1);
  await shot(page, "users");
  await page.getByRole("link", { name: "API agents" }).click();
  await shot(page, "agents");

  // Sign out ends the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto(`${srv.url}/console`);
  expect(page.url()).toBe(`${srv.url}/console/sign-in`);
});

test("readable at 390 px: nothing wider than the screen but scrollable tables; keyboard focus is visible", async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await ctx.newPage();
  await signIn(p, srv.url, srv.adminToken);
  const a = await admin(srv.url, srv.adminToken).post("/v1/admin/agents", { name: "A rather long agent name for a narrow phone screen", capabilities: ["chat", "models", "files"] });
  await p.goto(`${srv.url}/console/agents/${a.body.id}`);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(p, "agent-390px");
  await p.keyboard.press("Tab");
  const focused = await p.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
  });
  expect(focused.text).toBe("Skip to content");
  expect(focused.outline).not.toBe("none");
  await ctx.close();
});
