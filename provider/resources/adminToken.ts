import { adminTokens, ignoreNotFound, orGone } from "../admin";
import { client } from "../client";
import { withNonce } from "../createOnce";
import { AdminTokenInputs, validate } from "../inputs";
import type { AdminTokenOutputs } from "../outputs";
import type { ResourceCore } from "./core";

/**
 * An admin token declared in code (a GitOps pipeline's own token, a team lead's): its secret is a
 * Pulumi secret, shown by writer-local only once and carried forward in state. Tokens cannot be
 * changed, only made and revoked, so any change replaces it (the new one first, so a pipeline
 * using it never goes without).
 */
export const adminToken: ResourceCore<AdminTokenInputs, AdminTokenOutputs> = {
  async check(olds, news) {
    const { failures } = validate(AdminTokenInputs, news);
    return { inputs: withNonce(news, olds), failures };
  },

  async diff(_id, olds, news) {
    const changes = (["name", "role", "teamId"] as const).filter((k) => (olds[k] ?? "") !== (news[k] ?? ""));
    return { changes, replaces: changes };
  },

  async create(inputs) {
    const t = await adminTokens.create(client(), { name: inputs.name, role: inputs.role, ...(inputs.teamId ? { team_id: inputs.teamId } : {}) }, inputs);
    return { id: t.id, outs: { name: t.name, role: t.role, teamId: t.team_id ?? "", masked: t.masked, createdAt: t.created_at, secret: t.secret } };
  },

  async read(id, props) {
    const t = await orGone(adminTokens.get(client(), id));
    if (!t) return {};
    const outs = { name: t.name, role: t.role, teamId: t.team_id ?? "", masked: t.masked, createdAt: t.created_at, secret: props.secret ?? "" };
    return { id, props: outs, inputs: { name: t.name, role: t.role, ...(t.team_id ? { teamId: t.team_id } : {}) } };
  },

  async update(_id, olds) {
    // Every change replaces; the engine never asks for an update.
    return { outs: olds };
  },

  async delete(id) {
    await ignoreNotFound(adminTokens.revoke(client(), id));
  },
};
