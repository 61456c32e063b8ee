import type { CreateKey, Key, UpdateKey } from "../../api";
import { ignoreNotFound, keys, orGone } from "../admin";
import { client } from "../client";
import { resolveConfig } from "../config";
import { answeredInThisDeployment, withNonce } from "../createOnce";
import { KeyInputs, pastExpiry, UNKNOWN, validate } from "../inputs";
import { keyOutputs, type KeyOutputs, type KeySettings } from "../outputs";
import { verifySecret } from "../verify";
import { warn } from "../warn";
import { partialCreate, sameObjectWarning, type ResourceCore } from "./core";

/** Overlap of old and new secret on rotation unless the program says otherwise. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 86400;
const DAY_MS = 86_400_000;

type Olds = Partial<KeyOutputs & KeyInputs>;

const norm = (v: unknown) => (v === undefined || v === null || v === "" ? "" : v);
const sameTime = (a: unknown, b: unknown) =>
  norm(a) === norm(b) || (typeof a === "string" && typeof b === "string" && Date.parse(a) === Date.parse(b));
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The rotation anchor is the time of the last rotation the program asked for. `check` moves it
 * (so the plan shows `rotationAnchor` changing) when the rotation triggers change, or when
 * `rotateAfterDays` have elapsed since it; `update` then regenerates the secret in place.
 */
export function nextRotationAnchor(olds: Olds, news: KeyInputs, now = Date.now()): string {
  const prev = olds.rotationAnchor;
  const nowIso = new Date(now).toISOString();
  if (!prev) return nowIso;
  if (!sameJson(olds.rotationTriggers, news.rotationTriggers)) return nowIso;
  const days = news.rotateAfterDays;
  if (typeof days === "number" && days > 0 && now >= Date.parse(prev) + days * DAY_MS) return nowIso;
  return prev;
}

/** Properties whose change replaces the key: they are its identity (lessons.md). */
export function keyReplaces(olds: Olds, news: KeyInputs): string[] {
  const r: string[] = [];
  if (news.agentId !== olds.agentId) r.push("agentId");
  if (norm(news.teamId) !== norm(olds.teamId)) r.push("teamId");
  return r;
}

/** Server-side fields to PATCH so the key matches the program. */
export function keyPatch(olds: Olds, news: KeyInputs): UpdateKey {
  const p: UpdateKey = {};
  if (news.name !== olds.name) p.name = news.name;
  if (norm(news.ownerId) !== norm(olds.ownerId)) p.owner_id = news.ownerId || null;
  const wantStatus = news.enabled === false ? "disabled" : "active";
  if (olds.status !== wantStatus) p.status = wantStatus;
  if (!sameTime(news.expiresAt, olds.expiresAt)) p.expires_at = news.expiresAt || null;
  if ((news.requestsPerMinute ?? 0) !== (olds.requestsPerMinute ?? 0)) p.requests_per_minute = news.requestsPerMinute ?? null;
  if ((news.tokensPerMinute ?? 0) !== (olds.tokensPerMinute ?? 0)) p.tokens_per_minute = news.tokensPerMinute ?? null;
  if (!sameJson(news.tokenBudget, olds.tokenBudget)) p.token_budget = news.tokenBudget ?? null;
  return p;
}

/** The admin API's field -> the resource property a person wrote. */
const PROPERTY_OF: Record<keyof UpdateKey, string> = {
  name: "name", owner_id: "ownerId", status: "enabled", expires_at: "expiresAt",
  requests_per_minute: "requestsPerMinute", tokens_per_minute: "tokensPerMinute", token_budget: "tokenBudget",
};

/** Every property that differs, named as in the program. */
export function keyChanges(olds: Olds, news: KeyInputs): string[] {
  const c = [...keyReplaces(olds, news), ...Object.keys(keyPatch(olds, news)).map((f) => PROPERTY_OF[f as keyof UpdateKey])];
  if (news.rotationAnchor !== olds.rotationAnchor) c.push("rotationAnchor");
  if (!sameJson(news.rotationTriggers, olds.rotationTriggers)) c.push("rotationTriggers");
  if (norm(news.rotateAfterDays) !== norm(olds.rotateAfterDays)) c.push("rotateAfterDays");
  if ((news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS) !== olds.gracePeriodSeconds) c.push("gracePeriodSeconds");
  return c;
}

function settings(news: Partial<KeyInputs>, secret: string): KeySettings {
  return {
    rotationTriggers: news.rotationTriggers,
    rotateAfterDays: news.rotateAfterDays,
    gracePeriodSeconds: news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
    rotationAnchor: news.rotationAnchor ?? new Date().toISOString(),
    secret,
  };
}

function createBody(i: KeyInputs): CreateKey {
  const expires = {
    ...(i.expiresAt ? { expires_at: i.expiresAt } : {}),
    ...(i.requestsPerMinute ? { requests_per_minute: i.requestsPerMinute } : {}),
    ...(i.tokensPerMinute ? { tokens_per_minute: i.tokensPerMinute } : {}),
    ...(i.tokenBudget ? { token_budget: i.tokenBudget } : {}),
  };
  return i.teamId
    ? { name: i.name, scope: "team", team_id: i.teamId, owner_id: i.ownerId, ...expires }
    : { name: i.name, scope: "all_teams", ...(i.ownerId ? { owner_id: i.ownerId } : {}), ...expires };
}

/** The inputs that would make a program manage this key exactly as it is (for import). */
function inputsOf(k: Key, s: KeySettings): KeyInputs {
  return {
    agentId: k.agent_id, name: k.name,
    ...(k.team_id ? { teamId: k.team_id } : {}),
    ...(k.owner_id ? { ownerId: k.owner_id } : {}),
    ...(k.status === "disabled" ? { enabled: false } : {}),
    ...(k.expires_at ? { expiresAt: k.expires_at } : {}),
    ...(k.requests_per_minute ? { requestsPerMinute: k.requests_per_minute } : {}),
    ...(k.tokens_per_minute ? { tokensPerMinute: k.tokens_per_minute } : {}),
    ...(k.token_budget ? { tokenBudget: k.token_budget } : {}),
    ...(s.gracePeriodSeconds !== DEFAULT_GRACE_PERIOD_SECONDS ? { gracePeriodSeconds: s.gracePeriodSeconds } : {}),
    // Not an argument but state: an imported key's next plan must not see a rotation due.
    rotationAnchor: s.rotationAnchor,
  };
}

/** Whether an update regenerates the secret: check moved the rotation anchor. */
const rotates = (olds: KeyOutputs, news: KeyInputs) => news.rotationAnchor !== olds.rotationAnchor;

export const apiKey: ResourceCore<KeyInputs, KeyOutputs> = {
  async check(olds, news) {
    const { failures } = validate(KeyInputs, news);
    const past = pastExpiry(news);
    if (past && past !== olds.expiresAt) {
      failures.push({ property: "expiresAt", reason: `expiresAt: ${past} is in the past: choose a future time` });
    } else if (past) {
      // Already in state and now passed: the key has stopped working. Say so in every plan (lessons.md).
      warn(`ApiKey "${news.name}" expired at ${past}: its secret no longer works; set a later expiresAt (an in-place update) or remove it`);
    }
    const now = Date.now() + resolveClockSkew();
    const anchor = news.rotationTriggers === UNKNOWN ? UNKNOWN : nextRotationAnchor(olds, news, now);
    return { inputs: withNonce({ ...news, rotationAnchor: anchor }, olds), failures };
  },

  async diff(_id, olds, news) {
    // Replacement creates the new key before the old one is revoked (the engine's default order).
    return { changes: keyChanges(olds, news), replaces: keyReplaces(olds, news) };
  },

  async create(inputs) {
    if (inputs.adopt) return adopt(inputs);
    const c = client();
    const created = await keys.create(c, inputs.agentId, createBody(inputs), inputs);
    let k: Key = created;
    if (inputs.enabled === false) {
      // Never leave an unrecorded key: if disabling fails, the engine records it with its id.
      await partialCreate(created.id, keyOutputs(created, settings(inputs, created.secret)), inputs, "could not be disabled", async () => {
        k = await keys.update(c, inputs.agentId, created.id, { status: "disabled" });
      });
    }
    return { id: created.id, outs: keyOutputs(k, settings(inputs, created.secret)) };
  },

  async read(id, props) {
    const k = await orGone(keys.get(client(), props.agentId!, id));
    if (!k) return {};
    const s = settings(props, props.secret ?? "");
    return { id, props: keyOutputs(k, s), inputs: inputsOf(k, s) };
  },

  // A rotation (update below) makes a new secret: until it runs, nothing of it is known.
  planned: (olds, news) => (rotates(olds, news) ? { secret: UNKNOWN, masked: UNKNOWN, rotatedAt: UNKNOWN, previousSecretExpiresAt: UNKNOWN } : {}),

  async update(id, olds, news) {
    const c = client();
    const patch = keyPatch(olds, news);
    let k: Key | undefined;
    if (Object.keys(patch).length > 0) k = await keys.update(c, news.agentId, id, patch);
    let secret: string = olds.secret ?? "";
    if (rotates(olds, news)) {
      const r = await keys.regenerate(c, news.agentId, id, news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS);
      secret = r.secret;
      k = r;
    }
    k ??= await keys.get(c, news.agentId, id);
    return { outs: keyOutputs(k, settings(news, secret)) };
  },

  async delete(id, props) {
    if (answeredInThisDeployment(id)) return sameObjectWarning("ApiKey", id);
    await ignoreNotFound(keys.revoke(client(), props.agentId, id));
  },
};

/** WRITER_CLOCK_SKEW_MS lets a test (or a dry run) ask "what would the plan be N days from now?". */
function resolveClockSkew(): number {
  try {
    return resolveConfig().clockSkewMs;
  } catch {
    return 0; // no token configured yet: check still runs; the create will say what is missing
  }
}

async function adopt(inputs: KeyInputs) {
  const c = client();
  const id = inputs.adopt!.id;
  const existing = await orGone(keys.get(c, inputs.agentId, id));
  if (!existing) throw new Error(`adopt.id: no live key ${id} on agent ${inputs.agentId}; check the ids or remove adopt to create a new key`);
  if (norm(existing.team_id) !== norm(inputs.teamId))
    throw new Error(`adopt.id: key ${id} is scoped to ${existing.team_id ? `team ${existing.team_id}` : "all teams"} but teamId says ${inputs.teamId ? `team ${inputs.teamId}` : "all teams"}: make teamId match the key`);
  const patch = keyPatch(keyOutputs(existing, settings(inputs, "")), inputs);
  const k = Object.keys(patch).length ? await keys.update(c, inputs.agentId, id, patch) : existing;
  let secret = "";
  if (inputs.adopt!.secret) {
    const why = await verifySecret(c, inputs.adopt!.secret, existing.masked);
    if (why) warn(`ApiKey ${id}: adopt.secret not stored: ${why}; the secret output stays empty`);
    else secret = inputs.adopt!.secret;
  } else {
    warn(`ApiKey ${id}: adopted without adopt.secret; the secret output stays empty (Writer never shows a secret twice): pass adopt.secret or set rotationTriggers to issue a new one`);
  }
  return { id, outs: keyOutputs(k, settings(inputs, secret)) };
}
