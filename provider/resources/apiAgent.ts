import type { Capability } from "../../api";
import { DEFAULT_KEY_NAME } from "../../api";
import { agents, ignoreNotFound, keys, orGone } from "../admin";
import { client } from "../client";
import { answeredInThisDeployment, withNonce } from "../createOnce";
import { AgentInputs, validate } from "../inputs";
import { agentOutputs, type AgentOutputs } from "../outputs";
import { verifySecret } from "../verify";
import { warn } from "../warn";
import { partialCreate, sameObjectWarning, type ResourceCore } from "./core";

function sameSet(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? [...a].sort() : [];
  const y = Array.isArray(b) ? [...b].sort() : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The fields that differ between state and the program; capabilities only when the agent owns them. */
export function agentChanges(olds: Partial<AgentOutputs & AgentInputs>, news: AgentInputs): string[] {
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

const bodyOf = (i: AgentInputs) => ({ name: i.name, description: i.description ?? "", ...(i.capabilities ? { capabilities: i.capabilities as Capability[] } : {}) });

export const apiAgent: ResourceCore<AgentInputs, AgentOutputs> = {
  async check(olds, news) {
    const { failures } = validate(AgentInputs, news);
    return { inputs: withNonce(news, olds), failures };
  },

  async diff(_id, olds, news) {
    return { changes: agentChanges(olds, news), replaces: [] };
  },

  async create(inputs) {
    if (inputs.adopt) return adopt(inputs);
    const created = await agents.create(client(), bodyOf(inputs), inputs);
    const dk = created.default_key;
    const outs = agentOutputs(created, {
      revokeDefaultKey: inputs.revokeDefaultKey === true,
      defaultKeyId: dk.id,
      defaultKeySecret: inputs.revokeDefaultKey ? "" : dk.secret,
      defaultKeyMasked: dk.masked,
    });
    if (inputs.revokeDefaultKey) {
      // The agent exists: record it (Pulumi's "created but failed to initialise") rather than orphan it.
      await partialCreate(created.id, { ...outs, revokeDefaultKey: false }, inputs, "its Production key could not be revoked", () => revokeDefault(created.id, dk.id));
    }
    return { id: created.id, outs };
  },

  async read(id, props) {
    const a = await orGone(agents.get(client(), id));
    if (!a) return {};
    const outs = agentOutputs(a, props);
    return { id, props: outs, inputs: { name: a.name, description: a.description, capabilities: outs.capabilities as Capability[], revokeDefaultKey: props.revokeDefaultKey || undefined } };
  },

  async update(id, olds, news) {
    const c = client();
    const changed = agentChanges(olds, news);
    const a = changed.some((f) => f !== "revokeDefaultKey") ? await agents.update(c, id, bodyOf(news)) : await agents.get(c, id);
    const prev: Partial<AgentOutputs> = { ...olds };
    if (changed.includes("revokeDefaultKey")) {
      await revokeDefault(id, olds.defaultKeyId);
      prev.revokeDefaultKey = true;
      prev.defaultKeySecret = "";
    }
    return { outs: agentOutputs(a, prev) };
  },

  async delete(id) {
    if (answeredInThisDeployment(id)) return sameObjectWarning("ApiAgent", id);
    await ignoreNotFound(agents.delete(client(), id));
  },
};

async function adopt(inputs: AgentInputs) {
  const c = client();
  const id = inputs.adopt!.id;
  const existing = await orGone(agents.get(c, id));
  if (!existing) throw new Error(`adopt.id: no agent with id ${id} exists on ${c.config.baseUrl}; remove adopt to create a new agent`);
  const a = await agents.update(c, id, bodyOf(inputs));
  let production;
  for await (const k of keys.list(c, id)) if (k.name === DEFAULT_KEY_NAME && !production) production = k;
  let secret = "";
  if (inputs.adopt!.secret && production) {
    const why = await verifySecret(c, inputs.adopt!.secret, production.masked);
    if (why) warn(`ApiAgent ${id}: adopt.secret not stored: ${why}; defaultKeySecret stays empty`);
    else secret = inputs.adopt!.secret;
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
