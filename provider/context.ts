import { AsyncLocalStorage } from "node:async_hooks";
import { PULUMI_HEADERS, type PulumiContext } from "../api";

/**
 * The Pulumi resource operation an admin call is made for: the client sends it as X-Pulumi-*
 * headers, and writer-local records it in the audit log and on the objects it creates or changes
 * (which stack manages them). Carried through the resource cores without threading a parameter.
 */
const current = new AsyncLocalStorage<PulumiContext>();

export const withPulumiContext = <T>(ctx: PulumiContext | undefined, fn: () => T): T => (ctx ? current.run(ctx, fn) : fn());

export function pulumiHeaders(): Record<string, string> {
  const c = current.getStore();
  if (!c) return {};
  return { [PULUMI_HEADERS.project]: c.project, [PULUMI_HEADERS.stack]: c.stack, [PULUMI_HEADERS.urn]: c.urn, [PULUMI_HEADERS.operation]: c.operation };
}

/** From the URN the engine gives the native provider: urn:pulumi:<stack>::<project>::<type>::<name>. */
export function fromUrn(urn: string, operation: string): PulumiContext | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return m ? { stack: m[1], project: m[2], urn, operation } : undefined;
}

/**
 * From the creation key a dynamic resource carries (sdk/common.ts: project/stack/type/parent
 * chain/name; the native provider's is the URN itself): the resource's URN as the engine spells it.
 */
export function fromCreationKey(key: unknown, operation: string): PulumiContext | undefined {
  if (typeof key !== "string") return undefined;
  if (key.startsWith("urn:pulumi:")) return fromUrn(key, operation);
  const [project, stack, type, ...rest] = key.split("/");
  if (!project || !stack || !type || rest.length === 0) return undefined;
  const name = rest.pop()!;
  const parents = rest.map((p) => p.split("::")[0]).filter(Boolean);
  const typeChain = [...parents, `pulumi-nodejs:dynamic/writer:${type}`].join("$");
  return { project, stack, urn: `urn:pulumi:${stack}::${project}::${typeChain}::${name}`, operation };
}
