// Real headless Chromium (Debian's package, found or installed by scripts/ensure-chromium) driven by
// playwright-core, which never downloads a browser of its own.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "./pulumi";

export const SCREENSHOTS = join(ROOT, ".tmp", "screenshots");

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.WRITER_CHROMIUM ?? "/usr/bin/chromium",
    // As root in a sandboxed machine, with no network beyond loopback: no sandbox, no background traffic.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in on the console with the admin token. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${url}/console`);
}
