import * as pulumi from "@pulumi/pulumi";
import { AccessSpec, AccessSpecError, Lookups, resolveAccessSpec } from "./accessSpec";

/** What AccessPolicy needs of an agent and of a key resource, whichever provider serves them. */
export interface PolicyAgent {
  id: pulumi.Output<string>;
}
export interface PolicyKey {
  id: pulumi.Output<string>;
  secret: pulumi.Output<string>;
  masked: pulumi.Output<string>;
}

/**
 * How the children are made: the TypeScript class makes ApiAgent/ApiKey (dynamic providers); the
 * native provider's Construct makes writer:index:ApiAgent/ApiKey (itself). The arguments are the
 * resources' own, by the same names.
 */
export interface PolicyChildren<A extends PolicyAgent, K extends PolicyKey> {
  agent(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): A;
  key(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): K;
  lookups: Lookups;
}

export interface DeclaredPolicy<A, K> {
  agents: Record<string, A>;
  apiKeys: Record<string, K>;
  outputs: {
    keys: pulumi.Output<Record<string, string>>;
    keyIds: pulumi.Output<Record<string, string>>;
    maskedKeys: pulumi.Output<Record<string, string>>;
    agentIds: pulumi.Output<Record<string, string>>;
  };
}

/**
 * Declares an environment's agents and keys from a validated spec under `parent`: the one
 * implementation of AccessPolicy, for every language. Map keys in the spec are stable ids (the
 * children's names are `<policy>-<agent>` and `<policy>-<agent>-<key>`; `renamedFrom` becomes
 * aliases, so a renamed id keeps its objects); team names and owner emails are resolved at preview.
 */
export function declareAccessPolicy<A extends PolicyAgent, K extends PolicyKey>(
  parent: pulumi.ComponentResource,
  name: string,
  spec: AccessSpec,
  args: { namePrefix?: pulumi.Input<string>; source?: string },
  children: PolicyChildren<A, K>,
): DeclaredPolicy<A, K> {
  const prefix = args.namePrefix ?? "";
  const resolved = pulumi.output(
    resolveAccessSpec(spec, children.lookups, args.source).catch((e) => {
      throw e instanceof AccessSpecError ? new pulumi.ResourceError(e.message, parent, true) : e;
    }),
  );
  const agents: Record<string, A> = {};
  const apiKeys: Record<string, K> = {};
  for (const [agentId, a] of Object.entries(spec.agents)) {
    const agentName = `${name}-${agentId}`;
    const agent = children.agent(
      agentName,
      { name: pulumi.interpolate`${prefix}${a.name ?? agentId}`, description: a.description, capabilities: a.capabilities, revokeDefaultKey: a.revokeDefaultKey },
      // A renamed agent id keeps the agent; its keys follow (child aliases are inherited).
      { parent, aliases: (a.renamedFrom ?? []).map((old) => ({ name: `${name}-${old}` })) },
    );
    agents[agentId] = agent;
    for (const [keyId, k] of Object.entries(a.keys)) {
      const path = `${agentId}/${keyId}`;
      const r = resolved.apply((all) => all[path]);
      apiKeys[path] = children.key(
        `${agentName}-${keyId}`,
        {
          agentId: agent.id,
          name: k.name ?? keyId,
          teamId: k.team !== undefined ? r.apply((x) => x.teamId!) : undefined,
          ownerId: k.owner !== undefined ? r.apply((x) => x.ownerId!) : undefined,
          enabled: k.enabled,
          expiresAt: k.expiresAt,
          rotateAfterDays: k.rotateAfterDays,
          gracePeriodSeconds: k.gracePeriod,
          rotationTriggers: k.rotation,
          requestsPerMinute: k.requestsPerMinute,
          tokensPerMinute: k.tokensPerMinute,
          tokenBudget: k.tokenBudget,
        },
        { parent: agent as unknown as pulumi.Resource, aliases: (k.renamedFrom ?? []).map((old) => ({ name: `${agentName}-${old}` })) },
      );
    }
  }
  const byPath = <T>(f: (k: K) => pulumi.Output<T>) =>
    pulumi.all(Object.fromEntries(Object.entries(apiKeys).map(([p, k]) => [p, f(k)]))) as pulumi.Output<Record<string, T>>;
  return {
    agents,
    apiKeys,
    outputs: {
      keys: pulumi.secret(byPath((k) => k.secret)),
      keyIds: byPath((k) => k.id),
      maskedKeys: byPath((k) => k.masked),
      agentIds: pulumi.all(Object.fromEntries(Object.entries(agents).map(([id, a]) => [id, a.id]))) as pulumi.Output<Record<string, string>>,
    },
  };
}
