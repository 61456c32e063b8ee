import { agents, ignoreNotFound, orGone } from "../admin";
import { client } from "../client";
import { CapabilityInputs, validate } from "../inputs";
import type { ResourceCore } from "./core";

export type CapabilityOutputs = CapabilityInputs;

/** One capability switched on for as long as the resource lives; id is `<agentId>/<capability>`. */
export const agentCapability: ResourceCore<CapabilityInputs, CapabilityOutputs> = {
  async check(_olds, news) {
    return { inputs: news, failures: validate(CapabilityInputs, news).failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["agentId", "capability"] as const).filter((k) => olds[k] !== news[k]);
    // The object is the (agent, capability) pair itself: a replacement that keeps the pair (a
    // forced `--replace`) must switch it off before switching it on, or the delete would undo the
    // create. A replacement to another pair touches two different pairs, so the order is moot.
    return { changes: replaces, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    await agents.enable(client(), inputs.agentId, inputs.capability);
    return { id: `${inputs.agentId}/${inputs.capability}`, outs: { agentId: inputs.agentId, capability: inputs.capability } };
  },

  async read(id, props) {
    const [agentId, capability] = props.agentId && props.capability ? [props.agentId, props.capability] : id.split("/");
    const a = await orGone(agents.get(client(), agentId));
    if (!a || !a.capabilities.includes(capability as never)) return {};
    const outs = { agentId, capability } as CapabilityOutputs;
    return { id, props: outs, inputs: outs };
  },

  async update(_id, _olds, news) {
    // Every change replaces; the engine never asks for an update.
    return { outs: { agentId: news.agentId, capability: news.capability } };
  },

  async delete(_id, props) {
    await ignoreNotFound(agents.disable(client(), props.agentId, props.capability));
  },
};
