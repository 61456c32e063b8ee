import fp from "fastify-plugin";
import type { FastifyRequest } from "fastify";
import { HttpError } from "../errors";


/** Test-only fault injection; see parseFaults for the spec format. Off unless a spec is given. */
export type FaultKind = "429" | "500" | "503" | "hang" | "drop";
export type FaultSpec = Partial<Record<FaultKind, number>>;
const KINDS: FaultKind[] = ["429", "500", "503", "hang", "drop"];

/** "429=0.1,500=0.05,503=0.05,hang=0.01,drop=0.05": fractions of /v1/* requests, summing to <= 1. */
export function parseFaults(spec: string): FaultSpec {
  const out: FaultSpec = {};
  let total = 0;
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+)=([0-9]*\.?[0-9]+)$/.exec(part);
    if (!m) throw new Error(`faults: "${part}" is not KIND=FRACTION (e.g. 429=0.1)`);
    const kind = m[1] as FaultKind;
    if (!KINDS.includes(kind)) throw new Error(`faults: unknown kind "${m[1]}"; use ${KINDS.join(", ")}`);
    const p = Number(m[2]);
    if (!(p >= 0 && p <= 1)) throw new Error(`faults: ${kind} must be a fraction between 0 and 1`);
    out[kind] = p;
    total += p;
  }
  if (total > 1 + 1e-9) throw new Error(`faults: fractions sum to ${total}, more than 1`);
  return out;
}

/** mulberry32: small, fast, reproducible; only used to pick faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

declare module "fastify" {
  interface FastifyRequest {
    dropAfterHandler?: boolean;
  }
}

export interface FaultOptions {
  [k: string]: unknown;
  spec: FaultSpec;
  hangMs: number;
  seed?: number;
}

function destroy(req: FastifyRequest) {
  req.raw.socket?.destroy();
}

export const faultsPlugin = fp<FaultOptions>(async (app, opts) => {
  const random = opts.seed !== undefined ? seededRandom(opts.seed) : Math.random;
  const hanging = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  app.addHook("onClose", async () => {
    for (const h of hanging) {
      clearTimeout(h.timer);
      h.resolve();
    }
  });

  const pick = (): FaultKind | undefined => {
    let r = random();
    for (const k of KINDS) {
      const p = opts.spec[k] ?? 0;
      if (r < p) return k;
      r -= p;
    }
    return undefined;
  };

  app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/v1/")) return;
    switch (pick()) {
      case "429":
        throw new HttpError(429, "injected fault: too many requests", { headers: { "retry-after": "1" } });
      case "500":
        throw new HttpError(500, "injected fault: internal error");
      case "503":
        throw new HttpError(503, "injected fault: service unavailable", { headers: { "retry-after": "1" } });
      case "hang":
        reply.hijack();
        await new Promise<void>((resolve) => {
          const h = { timer: setTimeout(() => { hanging.delete(h); resolve(); }, opts.hangMs), resolve };
          h.timer.unref();
          hanging.add(h);
        });
        destroy(req);
        return;
      case "drop":
        // Half the drops happen after the handler committed: the write is durable but the client
        // never sees the answer, which is exactly the case idempotent retries must survive.
        if (random() < 0.5) {
          reply.hijack();
          destroy(req);
          return;
        }
        req.dropAfterHandler = true;
        return;
      default:
        return;
    }
  });

  app.addHook("onSend", async (req, _reply, payload) => {
    if (req.dropAfterHandler) destroy(req);
    return payload;
  });
}, { name: "writer-faults", dependencies: ["writer-errors"] });
