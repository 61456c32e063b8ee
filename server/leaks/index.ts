import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { z } from "zod/v4";
import { errorBody, LeakReportSchema } from "../../api";
import type { AdminOps } from "../admin/run";
import { HttpError } from "../errors";

/** A revoked key reported within this long of its revocation is still a true positive (it was real). */
const RECENT_MS = 90 * 86_400_000;

export const LEAK_ROUTE = "/v1/admin/secret-scanning";

/** GitHub's published verifying keys: {"public_keys": [{key_identifier, key (PEM), is_current}]}. */
const KeysFile = z.object({ public_keys: z.array(z.object({ key_identifier: z.string(), key: z.string(), is_current: z.boolean().optional() })).min(1) });

export function readScanningKeys(path: string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`--secret-scanning-keys ${path}: ${(e as Error).message}`);
  }
  const r = KeysFile.safeParse(parsed);
  if (!r.success) throw new Error(`--secret-scanning-keys ${path} is not GitHub's public-keys format ({"public_keys": [{"key_identifier", "key", "is_current"}]})`);
  return new Map(r.data.public_keys.map((k) => [k.key_identifier, createPublicKey(k.key)]));
}

export interface LeakOptions {
  [k: string]: unknown;
  keys: Map<string, KeyObject>;
  /** What a reported live key gets: revoked (default) or disabled. */
  policy: "revoke" | "disable";
  /** Told of every live key reported (POST, JSON), best effort. */
  webhook?: string;
  ops: AdminOps;
}

/**
 * Leaked-key response, compatible with GitHub's secret scanning partner programme: GitHub posts
 * the tokens it found in public code, signed with ECDSA (P-256, SHA-256) over the raw body; each
 * one that is a live key of ours is revoked (or disabled) at once, and the answer labels every
 * token. Keys are found by their keyed hash, as on every request: no secret is stored to find them.
 */
export async function leakRoutes(app: FastifyInstance, opts: LeakOptions): Promise<void> {
  const store = app.store;
  // The signature is over the body's exact bytes: read them whole, parse them only once verified.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post(LEAK_ROUTE, { schema: { hide: true } }, async (req, reply) => {
    const id = String(req.headers["github-public-key-identifier"] ?? "");
    const sig = String(req.headers["github-public-key-signature"] ?? "");
    const key = opts.keys.get(id);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let ok = false;
    try {
      ok = !!key && verify("sha256", raw, { key, dsaEncoding: "der" }, Buffer.from(sig, "base64"));
    } catch {
      ok = false;
    }
    if (!ok) throw new HttpError(401, "the report's signature does not verify against a configured GitHub public key", { field: "Github-Public-Key-Signature" });
    let reports: z.infer<typeof LeakReportSchema>;
    try {
      reports = LeakReportSchema.parse(JSON.parse(raw.toString("utf8")));
    } catch {
      throw new HttpError(400, "the report is not a JSON array of {token, type, url, source}", { field: "(body)" });
    }
    const answers = [];
    for (const r of reports) {
      const found = await store.keys.bySecret(r.token);
      let label: "true_positive" | "false_positive" = "false_positive";
      if (found) {
        const live = found.revokedAt === null;
        if (live || Date.now() - found.revokedAt! < RECENT_MS) label = "true_positive";
        if (live) {
          const { key: k } = found;
          let action = "none";
          if (opts.policy === "disable" && k.status === "active") {
            await store.keys.update(k.agent_id, k.id, { status: "disabled" });
            action = "disabled";
          } else if (opts.policy === "revoke") {
            await store.keys.revoke(k.agent_id, k.id);
            action = "revoked";
          }
          await opts.ops.record({
            actor: null, source: "system", request_id: String(req.id), remote_address: req.ip, action: "key.leak_reported",
            object: { kind: "key", id: k.id }, changes: action === "revoked" ? { revoked: [false, true] } : action === "disabled" ? { status: ["active", "disabled"] } : {},
            outcome: "ok", pulumi: null,
          });
          if (opts.webhook) {
            void fetch(opts.webhook, {
              method: "POST", headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(5000),
              body: JSON.stringify({ event: "key.leak_reported", key_id: k.id, agent_id: k.agent_id, masked: k.masked, action, url: r.url ?? null, source: r.source ?? null }),
            }).catch((e) => req.log.warn({ err: { message: (e as Error).message } }, "leak webhook failed"));
          }
        }
      }
      answers.push({ token_raw: r.token, token_type: r.type, label });
    }
    return reply.code(200).send(answers);
  });
}

/** Without --secret-scanning-keys the route does not exist (and says so in Writer's error body). */
export async function noLeakRoute(app: FastifyInstance): Promise<void> {
  app.post(LEAK_ROUTE, { schema: { hide: true } }, async (_req, reply) =>
    reply.code(404).send(errorBody(404, "secret scanning is not configured: start writer-local with --secret-scanning-keys FILE", { field: "path" })));
}
