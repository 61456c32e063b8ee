import * as pulumi from "@pulumi/pulumi";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { declareAccessPolicy, type PolicyKey } from "../accessPolicy";
import { AccessSpecError, parseAccessSpec } from "../accessSpec";
import { getTeam, getUser } from "../lookups";
import { PACKAGE } from "./schema";

// Construct: the AccessPolicy component for every language, served the way @pulumi/pulumi's own
// provider server serves components (its Server class is not exported, so its construct is
// followed here with the same runtime modules): the runtime is pointed at the engine's monitor,
// the component registers itself and its children there, and its outputs go back as state.
/* eslint-disable @typescript-eslint/no-var-requires */
const settings = require("@pulumi/pulumi/runtime/settings");
const config = require("@pulumi/pulumi/runtime/config");
const rpc = require("@pulumi/pulumi/runtime/rpc");
const localState = require("@pulumi/pulumi/runtime/state");
const { deserializeInputs } = require("@pulumi/pulumi/provider/server");
/** An Output's value (the runtime's own accessor; not in the public types). */
const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => (o as unknown as { promise(): Promise<T> }).promise();
const provproto = require("@pulumi/pulumi/proto/provider_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

export const COMPONENTS = [`${PACKAGE}:index:AccessPolicy`];

/** Children are this provider's own resources, at this plugin's version. */
class Agent extends pulumi.CustomResource {
  declare readonly id: pulumi.Output<string>;
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(`${PACKAGE}:index:ApiAgent`, name, args, opts);
  }
}
class Key extends pulumi.CustomResource implements PolicyKey {
  declare readonly secret: pulumi.Output<string>;
  declare readonly masked: pulumi.Output<string>;
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(`${PACKAGE}:index:ApiKey`, name, { ...args, secret: undefined, masked: undefined }, opts);
  }
}

class AccessPolicy extends pulumi.ComponentResource {
  constructor(name: string, inputs: Record<string, any>, opts: pulumi.ComponentResourceOptions, version: string) {
    // Checked before anything is registered: every problem, with its path in the spec.
    const spec = parseAccessSpec(inputs.spec, inputs.source);
    super(`${PACKAGE}:index:AccessPolicy`, name, {}, opts);
    const childOpts = (o: pulumi.CustomResourceOptions) => ({ ...o, version });
    const declared = declareAccessPolicy(this, name, spec, { namePrefix: inputs.namePrefix, source: inputs.source }, {
      agent: (n, a, o) => new Agent(n, a, childOpts(o)),
      key: (n, a, o) => new Key(n, a, childOpts(o)),
      lookups: { getTeam: (a) => getTeam(a), getUser: async (a) => {
        const u = await getUser(a);
        return { ...u, teamIds: u.team_ids };
      } },
    });
    this.outputs = declared.outputs;
    this.registerOutputs(declared.outputs);
  }
  readonly outputs: Record<string, pulumi.Output<unknown>>;
}

function options(req: any): pulumi.ComponentResourceOptions {
  const aliases: (string | pulumi.Alias)[] = [];
  for (const a of req.getAliasesList()) {
    if (a.hasUrn()) aliases.push(a.getUrn());
    else if (a.hasSpec()) {
      const s = a.getSpec();
      aliases.push({
        ...(s.getName() ? { name: s.getName() } : {}),
        ...(s.getProject() ? { project: s.getProject() } : {}),
        ...(s.getStack() ? { stack: s.getStack() } : {}),
        ...(s.hasParenturn() ? { parent: s.getParenturn() } : s.hasNoparent() && s.getNoparent() ? { parent: pulumi.rootStackResource } : {}),
      });
    }
  }
  const providers: Record<string, pulumi.ProviderResource> = {};
  for (const [pkg, ref] of req.getProvidersMap().entries()) providers[pkg] = new pulumi.DependencyProviderResource(ref);
  return {
    aliases,
    dependsOn: req.getDependenciesList().map((urn: string) => new pulumi.DependencyResource(urn)),
    protect: req.getProtect(),
    providers,
    parent: req.getParent() ? new pulumi.DependencyResource(req.getParent()) : undefined,
    ignoreChanges: req.getIgnorechangesList(),
    retainOnDelete: req.getRetainondelete(),
  } as pulumi.ComponentResourceOptions;
}

export async function construct(req: any, engineAddress: string | undefined, version: string): Promise<any> {
  if (!COMPONENTS.includes(req.getType())) throw new Error(`unknown component ${req.getType()}: this provider constructs ${COMPONENTS.join(", ")}`);
  if (!engineAddress) throw new Error("construct needs the engine's address (given at start or by Attach)");
  return localState.withLocalStorage(async () => {
    settings.resetOptions(req.getProject(), req.getStack(), req.getParallel(), engineAddress, req.getMonitorendpoint(), req.getDryrun(), req.getOrganization());
    await settings.awaitFeatureSupport();
    const cfg: Record<string, string> = {};
    for (const [k, v] of req.getConfigMap().entries()) cfg[k] = v;
    config.setAllConfig(cfg, req.getConfigsecretkeysList());
    const inputs = await deserializeInputs(req.getInputs(), req.getInputdependenciesMap());
    // The spec is plain data: an Output (from a dependency) is awaited, once, before validation.
    const plain = { ...inputs, spec: await valueOf(pulumi.output(inputs.spec)), source: inputs.source === undefined ? undefined : await valueOf(pulumi.output(inputs.source)) };
    let policy: AccessPolicy;
    try {
      policy = new AccessPolicy(req.getName(), plain, options(req), version);
    } catch (e) {
      // The spec's own report (every problem with its path) is the message, not a stack trace.
      if (e instanceof AccessSpecError) throw new Error(e.message);
      throw e;
    }
    const resp = new provproto.ConstructResponse();
    resp.setUrn(await valueOf(policy.urn));
    const [state, deps] = await rpc.serializeResourceProperties(`construct(${req.getType()}, ${req.getName()})`, policy.outputs);
    const map = resp.getStatedependenciesMap();
    for (const [key, resources] of deps as Map<string, Set<pulumi.Resource>>) {
      const d = new provproto.ConstructResponse.PropertyDependencies();
      d.setUrnsList(await Promise.all([...resources].map((r) => valueOf(r.urn))));
      map.set(key, d);
    }
    resp.setState(structproto.Struct.fromJavaScript(state));
    await settings.waitForRPCs();
    return resp;
  });
}
