import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object the engine serializes into every resource's state. It must stay tiny and
 * stable across package versions (pulumi#16826): its methods only `require()` the installed
 * package at run time, in the dynamic-provider process, whose working directory is the program's.
 * Nothing else is captured but the type name.
 */
export function shim(type: string): pulumi.dynamic.ResourceProvider {
  const load = () => require(`pulumi-writer/dynamic/${type}`);
  return {
    configure: (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}

/**
 * The provider for a resource type. Installed from a registry (the package under node_modules),
 * the module `pulumi-writer/dynamic/<type>` is itself the provider, and Pulumi serializes it as
 * a one-line `require()` of that stable subpath. When the package is loaded from elsewhere (npm
 * link, a workspace), Pulumi would serialize that module by value, so the shim above is used.
 */
export function providerFor(type: "ApiAgent" | "ApiKey" | "AgentCapability" | "AdminToken"): pulumi.dynamic.ResourceProvider {
  if (__filename.split(/[\\/]/).includes("node_modules")) return require(`../provider/dynamic/${type}`);
  return shim(type);
}
