// writer-local as a gateway in front of a canned writer-local standing in for Writer's API, both
// listening on loopback: the gateway forwards with one organisation key (an agent of the canned
// writer-local with every capability), exactly as it forwards to api.writer.com. The stand-in
// records every request it gets, so a test can prove a refused request never reached it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPABILITY_IDS } from "../../api";
import { buildApp, type AppOptions } from "../../server/app";
import { openStore, seedIfEmpty, DEFAULT_SEED } from "../../server/store";
import { startApp, type TestApp } from "./app";

export interface Received {
  method: string;
  url: string;
  body: string;
}

export interface GatewayRig {
  /** The gateway's base URL (clients call this). */
  url: string;
  gw: TestApp;
  /** Every request the stand-in for Writer received, in order. */
  received: Received[];
  /** An agent of the gateway with these capabilities: its id and its default key's secret. */
  agent(name: string, capabilities: string[]): Promise<{ id: string; secret: string; keyId: string }>;
  close(): Promise<void>;
}

export async function startGatewayRig(gatewayOpts: Partial<AppOptions> = {}, writerOpts: Partial<AppOptions> = {}): Promise<GatewayRig> {
  const dataDir = mkdtempSync(join(tmpdir(), "writer-standin-"));
  const store = openStore(dataDir);
  await seedIfEmpty(store, DEFAULT_SEED);
  const adminToken = "writer_admin_standin-token";
  const writer = await buildApp({ logLevel: "silent", ...writerOpts, store, adminToken } as AppOptions);
  const received: Received[] = [];
  writer.addHook("preHandler", async (req) => {
    const body = req.body === undefined ? "" : typeof req.body === "object" && !Buffer.isBuffer(req.body) && !("pipe" in (req.body as object)) ? JSON.stringify(req.body) : "(stream)";
    received.push({ method: req.method, url: req.url, body: req.rawBody ?? body });
  });
  const writerUrl = await writer.listen({ host: "127.0.0.1", port: 0 });
  const org = await writer.inject({
    method: "POST", url: "/v1/admin/agents", headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    payload: JSON.stringify({ name: "organisation", capabilities: CAPABILITY_IDS }),
  });
  const gw = await startApp({
    upstream: { url: writerUrl, apiKey: org.json().default_key.secret, connectTimeoutMs: 2000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, connections: 0 },
    ...gatewayOpts,
  } as Partial<AppOptions>);
  const url = await gw.app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url, gw, received,
    agent: async (name, capabilities) => {
      const a = await gw.api.post("/v1/admin/agents", { name, capabilities });
      if (a.status !== 201) throw new Error(`agent ${name}: ${a.status} ${JSON.stringify(a.body)}`);
      return { id: a.body.id, secret: a.body.default_key.secret, keyId: a.body.default_key.id };
    },
    close: async () => {
      await gw.app.close();
      await writer.close();
    },
  };
}

/** A data-plane call with a key, over HTTP. */
export async function call(url: string, secret: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${secret}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}
