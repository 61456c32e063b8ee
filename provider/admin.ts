// The admin API as the provider calls it: every call is named by its route in the contract
// (api/routes.ts), so its path, body and answer types come from one table.
import type { z } from "zod/v4";
import { ADMIN_ROUTES, type AdminRouteId, type AdminRoutes } from "../api";
import { AdminClient, seg } from "./client";
import { createOnce } from "./createOnce";
import { NotFoundError } from "./errors";

type Route<K extends AdminRouteId> = AdminRoutes[K];
export type Params<K extends AdminRouteId> = Route<K> extends { params: infer P extends z.ZodType } ? z.input<P> : Record<string, never>;
export type Body<K extends AdminRouteId> = Route<K> extends { body: infer B extends z.ZodType } ? z.input<B> : undefined;
export type Answer<K extends AdminRouteId> = Route<K> extends { response: infer S extends z.ZodType } ? z.output<S> : void;

/** The route's path with its parameters filled in (each one segment, encoded). */
export function pathOf<K extends AdminRouteId>(id: K, params: Params<K>): string {
  return ADMIN_ROUTES[id].path.replace(/\{(\w+)\}/g, (_m, p: string) => seg(String((params as Record<string, unknown>)[p])));
}

/** One admin call by route id. */
export function call<K extends AdminRouteId>(c: AdminClient, id: K, params: Params<K>, body?: Body<K>, query?: Record<string, unknown>): Promise<Answer<K>> {
  const r = ADMIN_ROUTES[id];
  return c.request<Answer<K>>(r.method.toLowerCase(), pathOf(id, params), body, query ? { params: query } : {});
}

type Ids = { creationKey?: string; creationNonce?: string };
const none = {} as Record<string, never>;

export const agents = {
  create: (c: AdminClient, body: Body<"createAgent">, ids: Ids) =>
    createOnce<Answer<"createAgent">>(c, pathOf("createAgent", none), body, ids, (a) => exists(c, pathOf("getAgent", { id: a.id }))),
  get: (c: AdminClient, id: string) => call(c, "getAgent", { id }),
  update: (c: AdminClient, id: string, body: Body<"updateAgent">) => call(c, "updateAgent", { id }, body),
  delete: (c: AdminClient, id: string) => call(c, "deleteAgent", { id }),
  enable: (c: AdminClient, id: string, capability: string) => call(c, "enableCapability", { id, capability: capability as never }),
  disable: (c: AdminClient, id: string, capability: string) => call(c, "disableCapability", { id, capability: capability as never }),
};

export const keys = {
  create: (c: AdminClient, agentId: string, body: Body<"createKey">, ids: Ids) =>
    createOnce<Answer<"createKey">>(c, pathOf("createKey", { id: agentId }), body, ids, (k) => exists(c, pathOf("getKey", { id: agentId, key_id: k.id }))),
  get: (c: AdminClient, agentId: string, keyId: string) => call(c, "getKey", { id: agentId, key_id: keyId }),
  update: (c: AdminClient, agentId: string, keyId: string, body: Body<"updateKey">) => call(c, "updateKey", { id: agentId, key_id: keyId }, body),
  regenerate: (c: AdminClient, agentId: string, keyId: string, grace: number) =>
    call(c, "regenerateKey", { id: agentId, key_id: keyId }, { grace_period_seconds: grace }),
  revoke: (c: AdminClient, agentId: string, keyId: string) => call(c, "revokeKey", { id: agentId, key_id: keyId }),
  list: (c: AdminClient, agentId: string) => c.list<Answer<"listKeys">["data"][number]>(pathOf("listKeys", { id: agentId })),
};

export const adminTokens = {
  create: (c: AdminClient, body: Body<"createToken">, ids: Ids) =>
    createOnce<Answer<"createToken">>(c, pathOf("createToken", none), body, ids, (t) => exists(c, pathOf("getToken", { id: t.id }))),
  get: (c: AdminClient, id: string) => call(c, "getToken", { id }),
  revoke: (c: AdminClient, id: string) => call(c, "revokeToken", { id }),
};

export const directory = {
  capabilities: (c: AdminClient) => call(c, "listCapabilities", none),
  team: (c: AdminClient, id: string) => call(c, "getTeam", { id }),
  teams: (c: AdminClient) => c.list<Answer<"listTeams">["data"][number]>(pathOf("listTeams", none)),
  user: (c: AdminClient, id: string) => call(c, "getUser", { id }),
  usersByEmail: (c: AdminClient, email: string) => c.list<Answer<"listUsers">["data"][number]>(pathOf("listUsers", none), { email }),
};

/** Runs a call whose 404 means "already gone" (delete, revoke, disable): idempotent teardown. */
export async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
}

/** Whether the object at path still exists (a replayed create may name one deleted since). */
async function exists(c: AdminClient, path: string): Promise<boolean> {
  return (await orGone(c.get(path))) !== undefined;
}

/** For read: a clear 404 is "gone" (undefined); anything else fails loudly (lessons.md). */
export async function orGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
