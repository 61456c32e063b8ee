import type * as pulumi from "@pulumi/pulumi";
import type { Capability } from "../api";
import { agents, ignoreNotFound, keys, orGone } from "./admin";
import { client } from "./client";
import { AgentInputs, validate } from "./inputs";
import { agentOutputs, AgentOutputs } from "./outputs";
import { verifySecret } from "./verify";
import { warn } from "./warn";

type Inputs = Record<string, any>;

function sameSet(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? [...a].sort() : [];
  const y = Array.isArray(b) ? [...b].sort() : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The fields that differ between state and the program; capabilities only when the agent owns them. */
export function agentChanges(olds: Inputs, news: Inputs): string[] {
  const changed: string[] = [];
  if (news.name !== olds.name) changed.push("name");
  if ((news.description ?? "") !== (olds.description ?? "")) changed.push("description");
  if (news.capabilities !== undefined && !sameSet(news.capabilities, olds.capabilities)) changed.push("capabilities");
  if (news.revokeDefaultKey === true && olds.revokeDefaultKey !== true) changed.push("revokeDefaultKey");
  return changed;
}

async function revokeDefault(agentId: string, keyId: string): Promise<void> {
  if (keyId) await ignoreNotFound(keys.revoke(client(), agentId, keyId));
}

export const apiAgentProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Inputs, news: Inputs) {
    const { failures } = validate(AgentInputs, news);
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: Inputs, news: Inputs) {
    return { changes: agentChanges(olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs: Inputs) {
    const c = client();
    const body = { name: inputs.name, description: inputs.description ?? "", ...(inputs.capabilities ? { capabilities: inputs.capabilities } : {}) };
    if (inputs.adopt) return adopt(inputs, body);
    const created = await agents.create(c, body, inputs.creationKey);
    const dk = created.default_key;
    const outs = agentOutputs(created, {
      revokeDefaultKey: inputs.revokeDefaultKey === true,
      defaultKeyId: dk.id,
      defaultKeySecret: inputs.revokeDefaultKey ? "" : dk.secret,
      defaultKeyMasked: dk.masked,
    });
    if (inputs.revokeDefaultKey) {
      try {
        await revokeDefault(created.id, dk.id);
      } catch (e) {
        // The agent exists: record it (Pulumi's "created but failed to initialise") rather than orphan it.
        throw Object.assign(new Error(`agent ${created.id} was created but its Production key could not be revoked: ${(e as Error).message}`), {
          id: created.id,
          properties: { ...outs, revokeDefaultKey: false, __provider: inputs.__provider },
          reasons: [(e as Error).message],
        });
      }
    }
    return { id: created.id, outs };
  },

  async read(id: string, props: Inputs) {
    const a = await orGone(agents.get(client(), id));
    if (!a) return {};
    return { id, props: agentOutputs(a, props as Partial<AgentOutputs>) };
  },

  async update(id: string, olds: Inputs, news: Inputs) {
    const c = client();
    const changed = agentChanges(olds, news);
    let a;
    if (changed.some((f) => f !== "revokeDefaultKey")) {
      a = await agents.update(c, id, {
        name: news.name,
        description: news.description ?? "",
        ...(news.capabilities !== undefined ? { capabilities: news.capabilities } : {}),
      });
    } else {
      a = await agents.get(c, id);
    }
    const prev: Partial<AgentOutputs> = { ...olds };
    if (changed.includes("revokeDefaultKey")) {
      await revokeDefault(id, olds.defaultKeyId);
      prev.revokeDefaultKey = true;
      prev.defaultKeySecret = "";
    }
    return { outs: agentOutputs(a, prev) };
  },

  async delete(id: string) {
    await ignoreNotFound(agents.delete(client(), id));
  },
};

async function adopt(inputs: Inputs, body: { name: string; description: string; capabilities?: Capability[] }) {
  const c = client();
  const id: string = inputs.adopt.id;
  const existing = await orGone(agents.get(c, id));
  if (!existing) throw new Error(`adopt.id: no agent with id ${id} exists on ${c.config.baseUrl}; remove adopt to create a new agent`);
  const a = await agents.update(c, id, body);
  let production;
  for await (const k of keys.list(c, id)) if (k.name === "Production" && !production) production = k;
  let secret = "";
  if (inputs.adopt.secret && production) {
    const why = await verifySecret(c, inputs.adopt.secret, production.masked);
    if (why) warn(`ApiAgent ${id}: adopt.secret not stored: ${why}; defaultKeySecret stays empty`);
    else secret = inputs.adopt.secret;
  }
  if (inputs.revokeDefaultKey && production) await revokeDefault(id, production.id);
  return {
    id,
    outs: agentOutputs(a, {
      revokeDefaultKey: inputs.revokeDefaultKey === true,
      defaultKeyId: production?.id ?? "",
      defaultKeySecret: inputs.revokeDefaultKey ? "" : secret,
      defaultKeyMasked: production?.masked ?? "",
    }),
  };
}
