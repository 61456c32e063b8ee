import type * as pulumi from "@pulumi/pulumi";
import { agents, ignoreNotFound, orGone } from "./admin";
import { client } from "./client";
import { CapabilityInputs, validate } from "./inputs";

type Inputs = Record<string, any>;

/** One capability switched on for as long as the resource lives; id is `<agentId>/<capability>`. */
export const agentCapabilityProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Inputs, news: Inputs) {
    return { inputs: news, failures: validate(CapabilityInputs, news).failures };
  },

  async diff(_id: string, olds: Inputs, news: Inputs) {
    const replaces = ["agentId", "capability"].filter((k) => olds[k] !== news[k]);
    // Create-before-delete: the new capability is on before the old one goes off.
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: Inputs) {
    await agents.enable(client(), inputs.agentId, inputs.capability);
    return { id: `${inputs.agentId}/${inputs.capability}`, outs: { agentId: inputs.agentId, capability: inputs.capability } };
  },

  async read(id: string, props: Inputs) {
    const a = await orGone(agents.get(client(), props.agentId));
    if (!a || !a.capabilities.includes(props.capability)) return {};
    return { id, props: { agentId: props.agentId, capability: props.capability } };
  },

  async delete(_id: string, props: Inputs) {
    await ignoreNotFound(agents.disable(client(), props.agentId, props.capability));
  },
};
