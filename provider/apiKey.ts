import type * as pulumi from "@pulumi/pulumi";
import type { CreateKey, Key, UpdateKey } from "../api";
import { ignoreNotFound, keys, orGone } from "./admin";
import { client } from "./client";
import { KeyInputs, pastExpiry, UNKNOWN, validate } from "./inputs";
import { keyOutputs, KeyOutputs, KeySettings } from "./outputs";
import { verifySecret } from "./verify";
import { warn } from "./warn";

type Inputs = Record<string, any>;

/** Overlap of old and new secret on rotation unless the program says otherwise. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 86400;
const DAY_MS = 86_400_000;

const norm = (v: unknown) => (v === undefined || v === null || v === "" ? "" : v);
const sameTime = (a: unknown, b: unknown) =>
  norm(a) === norm(b) || (typeof a === "string" && typeof b === "string" && Date.parse(a) === Date.parse(b));
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The rotation anchor is the time of the last rotation the program asked for. `check` moves it
 * (so the plan shows `rotationAnchor` changing) when the rotation triggers change, or when
 * `rotateAfterDays` have elapsed since it; `update` then regenerates the secret in place.
 */
export function nextRotationAnchor(olds: Inputs, news: Inputs, now = Date.now()): string {
  const prev: string | undefined = olds.rotationAnchor;
  const nowIso = new Date(now).toISOString();
  if (!prev) return nowIso;
  if (!sameJson(olds.rotationTriggers, news.rotationTriggers)) return nowIso;
  const days = news.rotateAfterDays;
  if (typeof days === "number" && days > 0 && now >= Date.parse(prev) + days * DAY_MS) return nowIso;
  return prev;
}

/** Properties whose change replaces the key: they are its identity (lessons.md). */
export function keyReplaces(olds: Inputs, news: Inputs): string[] {
  const r: string[] = [];
  if (news.agentId !== olds.agentId) r.push("agentId");
  if (norm(news.teamId) !== norm(olds.teamId)) r.push("teamId");
  return r;
}

/** Server-side fields to PATCH so the key matches the program. */
export function keyPatch(olds: Inputs, news: Inputs): UpdateKey {
  const p: UpdateKey = {};
  if (news.name !== olds.name) p.name = news.name;
  if (norm(news.ownerId) !== norm(olds.ownerId)) p.owner_id = news.ownerId || null;
  const wantStatus = news.enabled === false ? "disabled" : "active";
  if (olds.status !== wantStatus) p.status = wantStatus;
  if (!sameTime(news.expiresAt, olds.expiresAt)) p.expires_at = news.expiresAt || null;
  return p;
}

export function keyChanges(olds: Inputs, news: Inputs): string[] {
  const c = [...keyReplaces(olds, news), ...Object.keys(keyPatch(olds, news))];
  if (news.rotationAnchor !== olds.rotationAnchor) c.push("rotationAnchor");
  if (!sameJson(news.rotationTriggers, olds.rotationTriggers)) c.push("rotationTriggers");
  if (norm(news.rotateAfterDays) !== norm(olds.rotateAfterDays)) c.push("rotateAfterDays");
  if ((news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS) !== olds.gracePeriodSeconds) c.push("gracePeriodSeconds");
  return c;
}

function settings(news: Inputs, secret: string): KeySettings {
  return {
    rotationTriggers: news.rotationTriggers,
    rotateAfterDays: news.rotateAfterDays,
    gracePeriodSeconds: news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
    rotationAnchor: news.rotationAnchor ?? new Date().toISOString(),
    secret,
  };
}

export const apiKeyProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Inputs, news: Inputs) {
    const { failures } = validate(KeyInputs, news);
    const past = pastExpiry(news);
    if (past && past !== olds.expiresAt) {
      failures.push({ property: "expiresAt", reason: `expiresAt: ${past} is in the past: choose a future time` });
    } else if (past) {
      // Already in state and now passed: the key has stopped working. Say so in every plan (lessons.md).
      warn(`ApiKey "${news.name}" expired at ${past}: its secret no longer works; set a later expiresAt (an in-place update) or remove it`);
    }
    // WRITER_CLOCK_SKEW_MS lets a test (or a dry run) ask "what would the plan be N days from now?".
    const now = Date.now() + (Number(process.env.WRITER_CLOCK_SKEW_MS) || 0);
    const anchor = news.rotationTriggers === UNKNOWN ? UNKNOWN : nextRotationAnchor(olds, news, now);
    return { inputs: { ...news, rotationAnchor: anchor }, failures };
  },

  async diff(_id: string, olds: Inputs, news: Inputs) {
    const replaces = keyReplaces(olds, news);
    // Replacement creates the new key before the old one is revoked (the engine's default order).
    return { changes: keyChanges(olds, news).length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: Inputs) {
    const c = client();
    if (inputs.adopt) return adopt(inputs);
    const body: CreateKey = inputs.teamId
      ? { name: inputs.name, scope: "team", team_id: inputs.teamId, owner_id: inputs.ownerId, ...(inputs.expiresAt ? { expires_at: inputs.expiresAt } : {}) }
      : { name: inputs.name, scope: "all_teams", ...(inputs.ownerId ? { owner_id: inputs.ownerId } : {}), ...(inputs.expiresAt ? { expires_at: inputs.expiresAt } : {}) };
    const created = await keys.create(c, inputs.agentId, body, inputs.creationKey);
    let k: Key = created;
    if (inputs.enabled === false) {
      try {
        k = await keys.update(c, inputs.agentId, created.id, { status: "disabled" });
      } catch (e) {
        // Never leave an unrecorded key: hand the engine the id so it stays in state.
        throw Object.assign(new Error(`key ${created.id} was created but could not be disabled: ${(e as Error).message}`), {
          id: created.id,
          properties: { ...keyOutputs(created, settings(inputs, created.secret)), __provider: inputs.__provider },
          reasons: [(e as Error).message],
        });
      }
    }
    return { id: created.id, outs: keyOutputs(k, settings(inputs, created.secret)) };
  },

  async read(id: string, props: Inputs) {
    const k = await orGone(keys.get(client(), props.agentId, id));
    if (!k) return {};
    return { id, props: keyOutputs(k, settings(props, props.secret ?? "")) };
  },

  async update(id: string, olds: Inputs, news: Inputs) {
    const c = client();
    const patch = keyPatch(olds, news);
    let k: Key | undefined;
    if (Object.keys(patch).length > 0) k = await keys.update(c, news.agentId, id, patch);
    let secret: string = olds.secret ?? "";
    if (news.rotationAnchor !== olds.rotationAnchor) {
      const r = await keys.regenerate(c, news.agentId, id, news.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS);
      secret = r.secret;
      k = r;
    }
    k ??= await keys.get(c, news.agentId, id);
    return { outs: keyOutputs(k, settings(news, secret)) };
  },

  async delete(id: string, props: Inputs) {
    await ignoreNotFound(keys.revoke(client(), props.agentId, id));
  },
};

async function adopt(inputs: Inputs) {
  const c = client();
  const id: string = inputs.adopt.id;
  const existing = await orGone(keys.get(c, inputs.agentId, id));
  if (!existing) throw new Error(`adopt.id: no live key ${id} on agent ${inputs.agentId}; check the ids or remove adopt to create a new key`);
  if (norm(existing.team_id) !== norm(inputs.teamId))
    throw new Error(`adopt.id: key ${id} is scoped to ${existing.team_id ? `team ${existing.team_id}` : "all teams"} but teamId says ${inputs.teamId ? `team ${inputs.teamId}` : "all teams"}: make teamId match the key`);
  const patch = keyPatch(keyOutputs(existing, settings(inputs, "")), inputs);
  const k = Object.keys(patch).length ? await keys.update(c, inputs.agentId, id, patch) : existing;
  let secret = "";
  if (inputs.adopt.secret) {
    const why = await verifySecret(c, inputs.adopt.secret, existing.masked);
    if (why) warn(`ApiKey ${id}: adopt.secret not stored: ${why}; the secret output stays empty`);
    else secret = inputs.adopt.secret;
  } else {
    warn(`ApiKey ${id}: adopted without adopt.secret; the secret output stays empty (Writer never shows a secret twice): pass adopt.secret or set rotationTriggers to issue a new one`);
  }
  return { id, outs: keyOutputs(k, settings(inputs, secret)) };
}

export type { KeyOutputs };
