import type { FastifyPluginAsync } from "fastify";

/**
 * Marks a plugin as non-encapsulated so its decorators and hooks apply to the whole app (what the
 * `fastify-plugin` package does, without the extra dependency).
 */
export function globalPlugin<O extends Record<string, unknown>>(fn: FastifyPluginAsync<O>): FastifyPluginAsync<O> {
  (fn as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
  return fn;
}

export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
