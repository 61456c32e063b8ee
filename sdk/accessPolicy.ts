import * as pulumi from "@pulumi/pulumi";
import { ApiAgent } from "./apiAgent";
import { ApiKey } from "./apiKey";
import { declareAccessPolicy } from "../provider/accessPolicy";
import { AccessSpec, AccessSpecError, AccessSpecInput, accessSpecFromConfig, accessSpecFromFile, parseAccessSpec } from "./accessSpec";
import { getTeam, getUser } from "./lookups";

export { AccessSpec, AccessSpecError, accessSpecFromConfig, accessSpecFromFile, parseAccessSpec, resolveAccessSpec } from "./accessSpec";
export type { AccessSpecInput, AgentSpec, KeySpec, Lookups, Resolution, SpecIssue } from "./accessSpec";

export interface AccessPolicyArgs {
  /** The declarative spec (`{ agents: { <id>: { name, capabilities, keys: { <id>: {...} } } } }`), as a plain object. */
  spec: AccessSpecInput | unknown;
  /** Where the spec came from (a file, a config key), shown in error messages. */
  source?: string;
  /**
   * Prepended to every agent's display name, so stacks sharing one Writer organisation stay
   * apart (e.g. `[pr-42] `). Changing it is an in-place rename.
   */
  namePrefix?: pulumi.Input<string>;
}

/**
 * Writer access as code: the agents, their capabilities and their API keys of one environment,
 * from a declarative spec. Map keys in the spec are stable ids (the children's Pulumi names are
 * `<policy>-<agent>` and `<policy>-<agent>-<key>`); display names are `name` fields, so renaming
 * one is an in-place update. Team names and owner emails are resolved at preview; every problem
 * is reported with its path in the spec.
 */
export class AccessPolicy extends pulumi.ComponentResource {
  /** Every managed key's secret, keyed by "agent/key" (one Pulumi secret). */
  public readonly keys: pulumi.Output<Record<string, string>>;
  /** Agent ids, keyed by the spec's agent id. */
  public readonly agentIds: pulumi.Output<Record<string, string>>;
  /** Key ids, keyed by "agent/key". */
  public readonly keyIds: pulumi.Output<Record<string, string>>;
  /** Masked secrets (`writer_sk_…a1b2`), keyed by "agent/key": safe to print. */
  public readonly maskedKeys: pulumi.Output<Record<string, string>>;
  /** The ApiAgent children, by the spec's agent id. */
  public readonly agents: Record<string, ApiAgent> = {};
  /** The ApiKey children, by "agent/key". */
  public readonly apiKeys: Record<string, ApiKey> = {};
  /** The validated spec (defaults applied). */
  public readonly spec: AccessSpec;

  /** Reads the spec from stack config (`writer:access` unless `configKey` says otherwise). */
  static fromConfig(name: string, args: Omit<AccessPolicyArgs, "spec" | "source"> & { configKey?: string } = {}, opts?: pulumi.ComponentResourceOptions): AccessPolicy {
    const { spec, source } = asRunError(() => accessSpecFromConfig(args.configKey));
    return new AccessPolicy(name, { ...args, spec, source }, opts);
  }

  /** Reads the spec from a YAML or JSON file (relative to the program's working directory). */
  static fromFile(name: string, path: string, args: Omit<AccessPolicyArgs, "spec" | "source"> = {}, opts?: pulumi.ComponentResourceOptions): AccessPolicy {
    const { spec, source } = asRunError(() => accessSpecFromFile(path));
    return new AccessPolicy(name, { ...args, spec, source }, opts);
  }

  constructor(name: string, args: AccessPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    // The spec itself is checked synchronously, before anything is registered.
    const spec = asRunError(() => parseAccessSpec(args?.spec, args?.source));
    super("writer:index:AccessPolicy", name, {}, opts);
    this.spec = spec;
    const declared = declareAccessPolicy(this, name, spec, args, {
      agent: (n, a, o) => new ApiAgent(n, a as never, o),
      key: (n, a, o) => new ApiKey(n, a as never, o),
      lookups: { getTeam: (a) => getTeam(a), getUser: (a) => getUser(a) },
    });
    Object.assign(this.agents, declared.agents);
    Object.assign(this.apiKeys, declared.apiKeys);
    ({ keys: this.keys, keyIds: this.keyIds, maskedKeys: this.maskedKeys, agentIds: this.agentIds } = declared.outputs);
    this.registerOutputs(declared.outputs);
  }
}

/** Spec problems are the user's to fix: show the message (every path), not a stack trace. */
function asRunError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AccessSpecError) throw new pulumi.RunError(e.message);
    throw e;
  }
}
