import type * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "../config";
import { fromCreationKey, withPulumiContext } from "../context";
import type { ResourceCore } from "../resources/core";

const key = (v: unknown) => (v as { creationKey?: unknown } | undefined)?.creationKey;

/**
 * The engine gives a dynamic provider's delete only the outputs: the creation key is kept among
 * them, so a delete, too, tells writer-local which resource of which stack it is for (audit log).
 */
function keep<O>(outs: O, from: unknown): O {
  const k = key(from);
  return k === undefined || !outs || typeof outs !== "object" ? outs : ({ ...outs, creationKey: k } as O);
}

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
    create: async (inputs) => {
      const r = await withPulumiContext(fromCreationKey(key(inputs), "create"), () => core.create(inputs));
      return { id: r.id, outs: keep(r.outs, inputs) };
    },
    read: async (id, props) => {
      const r = await withPulumiContext(fromCreationKey(key(props), "read"), () => core.read(id, props ?? {}));
      return r.id ? { id: r.id, props: keep(r.props, props) } : {};
    },
    update: async (id, olds, news) => {
      const r = await withPulumiContext(fromCreationKey(key(news), "update"), () => core.update(id, olds, news));
      return { outs: keep(r.outs, news) };
    },
    delete: (id, props) => withPulumiContext(fromCreationKey(key(props), "delete"), () => core.delete(id, props)),
  };
}
