// Thin, typed calls over the admin API: one line each over the client.
import type { Agent, AgentWithDefaultKey, CapabilityInfo, CreateAgent, CreateKey, Key, KeyWithSecret, Team, UpdateAgent, UpdateKey, User } from "../api";
import { AdminClient, seg } from "./client";
import { createOnce } from "./createOnce";
import { NotFoundError } from "./errors";

const agentPath = (id: string) => `/v1/admin/agents/${seg(id)}`;
const keyPath = (agentId: string, keyId: string) => `${agentPath(agentId)}/keys/${seg(keyId)}`;

export const agents = {
  create: (c: AdminClient, body: CreateAgent, creationKey?: string) =>
    createOnce<AgentWithDefaultKey>(c, "/v1/admin/agents", body, creationKey, (a) => exists(c, agentPath(a.id))),
  get: (c: AdminClient, id: string) => c.get<Agent>(agentPath(id)),
  update: (c: AdminClient, id: string, body: UpdateAgent) => c.patch<Agent>(agentPath(id), body),
  delete: (c: AdminClient, id: string) => c.delete(agentPath(id)),
  enable: (c: AdminClient, id: string, cap: string) => c.put<Agent>(`${agentPath(id)}/capabilities/${seg(cap)}`),
  disable: (c: AdminClient, id: string, cap: string) => c.delete(`${agentPath(id)}/capabilities/${seg(cap)}`),
};

export const keys = {
  create: (c: AdminClient, agentId: string, body: CreateKey, creationKey?: string) =>
    createOnce<KeyWithSecret>(c, `${agentPath(agentId)}/keys`, body, creationKey, (k) => exists(c, keyPath(agentId, k.id))),
  get: (c: AdminClient, agentId: string, keyId: string) => c.get<Key>(keyPath(agentId, keyId)),
  update: (c: AdminClient, agentId: string, keyId: string, body: UpdateKey) => c.patch<Key>(keyPath(agentId, keyId), body),
  regenerate: (c: AdminClient, agentId: string, keyId: string, grace: number) =>
    c.post<KeyWithSecret>(`${keyPath(agentId, keyId)}/regenerate`, { grace_period_seconds: grace }),
  revoke: (c: AdminClient, agentId: string, keyId: string) => c.delete(keyPath(agentId, keyId)),
  list: (c: AdminClient, agentId: string) => c.list<Key>(`${agentPath(agentId)}/keys`),
};

export const directory = {
  capabilities: (c: AdminClient) => c.get<{ data: CapabilityInfo[] }>("/v1/admin/capabilities"),
  team: (c: AdminClient, id: string) => c.get<Team>(`/v1/admin/teams/${seg(id)}`),
  teams: (c: AdminClient) => c.list<Team>("/v1/admin/teams"),
  user: (c: AdminClient, id: string) => c.get<User>(`/v1/admin/users/${seg(id)}`),
  usersByEmail: (c: AdminClient, email: string) => c.list<User>("/v1/admin/users", { email }),
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
