import type * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "../config";
import type { ResourceCore } from "../resources/core";

/**
 * A resource core served as a Pulumi dynamic provider. The object a `pulumi-writer/dynamic/<Type>`
 * module exports: because it IS the module's exports, Pulumi serializes a resource's provider as
 * `require("pulumi-writer/dynamic/<Type>")`, a few hundred bytes of state that always run the
 * installed package.
 */
export function asModule<I, O>(core: ResourceCore<I, O>): pulumi.dynamic.ResourceProvider<I, O> {
  return {
    configure: async (req) => setStackConfig(req.config),
    check: (olds, news) => core.check(olds ?? {}, news),
    diff: async (id, olds, news) => {
      const p = await core.diff(id, olds, news);
      return { changes: p.changes.length > 0, replaces: p.replaces, deleteBeforeReplace: p.deleteBeforeReplace ?? false };
    },
    create: (inputs) => core.create(inputs),
    read: async (id, props) => {
      const r = await core.read(id, props ?? {});
      return r.id ? { id: r.id, props: r.props } : {};
    },
    update: (id, olds, news) => core.update(id, olds, news),
    delete: (id, props) => core.delete(id, props),
  };
}
