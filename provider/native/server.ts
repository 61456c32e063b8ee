import { fromUrn, withPulumiContext } from "../context";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { cancelAll } from "../cancel";
import { setStackConfig } from "../config";
import { getCapabilities, getTeam, getUsage, getUser } from "../lookups";
import { LookupNotFoundError } from "../errors";
import { UNKNOWN } from "../inputs";
import { setWarningSink, warn } from "../warn";
import type { Plan, ResourceCore } from "../resources/core";
import { agentCapability } from "../resources/agentCapability";
import { adminToken } from "../resources/adminToken";
import { apiAgent } from "../resources/apiAgent";
import { apiKey } from "../resources/apiKey";
import { construct } from "./construct";
import { buildSchema, PACKAGE, SECRET_OUTPUTS } from "./schema";

/* eslint-disable @typescript-eslint/no-var-requires */
const plugproto = require("@pulumi/pulumi/proto/plugin_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

/**
 * `pulumi-resource-writer`: the same resource cores as the dynamic providers (provider/resources),
 * served over Pulumi's provider protocol with the SDK's generated gRPC stubs. Served by hand
 * rather than by @pulumi/pulumi's provider.main because that server (3.248) ignores the provider
 * config sent to Configure, answers UNIMPLEMENTED to CheckConfig/DiffConfig and sends no detailed
 * diff; here Configure takes `writer:baseUrl` / `writer:adminToken`, the preview names each
 * changed property and whether it replaces, Read returns inputs (what `pulumi import` needs), and
 * functions are served as invokes.
 */

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, any>;

/** Plain values from the engine: secrets unwrapped (the cores never see a wrapper), unknowns kept as the sentinel. */
export function unwrap(v: any): any {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    if (v[SECRET_SIG] === SECRET_VALUE) return unwrap(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });

/** Whether a value from the engine holds a secret anywhere inside it. */
function holdsSecret(v: any): boolean {
  if (Array.isArray(v)) return v.some(holdsSecret);
  if (v && typeof v === "object") return v[SECRET_SIG] === SECRET_VALUE || Object.values(v).some(holdsSecret);
  return false;
}
/** The top-level properties that arrived holding a secret (the cores see them unwrapped). */
export function secretKeys(...props: any[]): Set<string> {
  const keys = new Set<string>();
  for (const p of props) for (const [k, v] of Object.entries(p ?? {})) if (holdsSecret(v)) keys.add(k);
  return keys;
}
/**
 * What arrived as a secret leaves as one, whole: in checked inputs and in outputs of the same name,
 * so a secret config value passed into rotationTriggers or description never reaches the state in
 * plaintext.
 */
function keepSecret(o: Props, keys: Set<string>, acceptSecrets: boolean): Props {
  if (!acceptSecrets || keys.size === 0) return o;
  const out = { ...o };
  for (const k of keys) if (k in out && out[k] !== undefined && !holdsSecret(out[k])) out[k] = secret(out[k]);
  return out;
}
/** Undefined is not a protobuf value: drop such keys. */
const defined = (o: Props) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const struct = (o: Props) => structproto.Struct.fromJavaScript(defined(o));

interface ResourceType {
  core: ResourceCore<any, any>;
  /** The engine's id <-> the core's id and the props that locate the object. */
  toCore(id: string, props: Props): { id: string; props: Props };
  fromCore(id: string, outs: Props): string;
  secrets: string[];
}

/** ApiKey ids are `<agentId>/<keyId>` here (what `pulumi import` takes); the core speaks key ids. */
const TYPES: Record<string, ResourceType> = {
  [`${PACKAGE}:index:ApiAgent`]: { core: apiAgent, toCore: (id, props) => ({ id, props }), fromCore: (id) => id, secrets: SECRET_OUTPUTS.ApiAgent },
  [`${PACKAGE}:index:ApiKey`]: {
    core: apiKey,
    toCore: (id, props) => {
      const [agentId, keyId] = id.includes("/") ? id.split("/", 2) : [props.agentId, id];
      return { id: keyId, props: { ...props, agentId } };
    },
    fromCore: (id, outs) => `${outs.agentId}/${id}`,
    secrets: SECRET_OUTPUTS.ApiKey,
  },
  [`${PACKAGE}:index:AgentCapability`]: { core: agentCapability, toCore: (id, props) => ({ id, props }), fromCore: (id) => id, secrets: [] },
  [`${PACKAGE}:index:AdminToken`]: { core: adminToken, toCore: (id, props) => ({ id, props }), fromCore: (id) => id, secrets: SECRET_OUTPUTS.AdminToken },
};

const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";
const nameOf = (urn: string) => urn.split("::")[3] ?? "";

function resourceType(urn: string): ResourceType {
  const t = TYPES[typeOf(urn)];
  if (!t) throw new Error(`unknown resource type ${typeOf(urn)}: this provider serves ${Object.keys(TYPES).join(", ")}`);
  return t;
}

/** The engine's protocol has no room for our own bookkeeping in outputs it shows: mark secrets. */
function outputs(t: ResourceType, outs: Props, acceptSecrets: boolean): Props {
  const o = { ...outs };
  if (acceptSecrets) for (const k of t.secrets) if (k in o) o[k] = secret(o[k]);
  return o;
}

/** A detailed diff: each changed property, and whether it replaces. */
function detailedDiff(plan: Plan) {
  const map: Record<string, any> = {};
  for (const k of plan.changes) {
    const d = new provproto.PropertyDiff();
    d.setKind(plan.replaces.includes(k) ? provproto.PropertyDiff.Kind.UPDATE_REPLACE : provproto.PropertyDiff.Kind.UPDATE);
    d.setInputdiff(true);
    map[k] = d;
  }
  return map;
}

function failure(property: string, reason: string) {
  const f = new provproto.CheckFailure();
  f.setProperty(property);
  f.setReason(reason);
  return f;
}

const INVOKES: Record<string, (args: Props) => Promise<Props>> = {
  [`${PACKAGE}:index:getTeam`]: async (a) => {
    const t = await getTeam(a);
    return { id: t.id, name: t.name, createdAt: t.created_at };
  },
  [`${PACKAGE}:index:getUser`]: async (a) => {
    const u = await getUser(a);
    return { id: u.id, email: u.email, name: u.name, teamIds: u.team_ids, createdAt: u.created_at };
  },
  [`${PACKAGE}:index:getCapabilities`]: async () => ({ capabilities: await getCapabilities() }),
  [`${PACKAGE}:index:getUsage`]: async (a) => ({ ...(await getUsage(a as never)) }),
};

type Callback = (err: any, value?: any) => void;

/** Wraps a handler so every failure reaches the engine as a gRPC error with a useful message. */
const handle = (fn: (req: any) => Promise<any>) => (call: { request: any }, callback: Callback) => {
  fn(call.request).then(
    (v) => callback(null, v),
    (e) => {
      // A create that failed after making its object carries the id: report it as initialization failure.
      if (e && typeof e === "object" && "id" in e && "properties" in e && (e as any).reasons) return callback(initFailure(e as any));
      callback({ code: grpc.status.UNKNOWN, details: (e as Error)?.message ?? String(e) });
    },
  );
};

/** Pulumi's "created but failed to initialise": the object is recorded with its id (the partial create). */
function initFailure(e: { id: string; properties: Props; reasons: string[]; message: string; urnType?: ResourceType }) {
  const { ErrorResourceInitFailed } = provproto;
  const detail = new ErrorResourceInitFailed();
  detail.setId(e.id);
  detail.setProperties(struct(e.properties));
  detail.setReasonsList(e.reasons);
  const anyproto = require("google-protobuf/google/protobuf/any_pb");
  const statusproto = require("@pulumi/pulumi/proto/status_pb");
  const any = new anyproto.Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusproto.Status();
  status.setCode(grpc.status.UNKNOWN);
  status.setMessage(e.message);
  status.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: e.message, metadata };
}

/** The engine's address: given at start, or by Attach to a provider started by hand. */
const engine: { address?: string } = {};

export function providerService(version: string) {
  let acceptSecrets = false;
  const schema = JSON.stringify(buildSchema(version));

  return {
    getPluginInfo: handle(async () => {
      const r = new plugproto.PluginInfo();
      r.setVersion(version);
      return r;
    }),
    getSchema: handle(async () => {
      const r = new provproto.GetSchemaResponse();
      r.setSchema(schema);
      return r;
    }),
    // A provider started by hand (PULUMI_DEBUG_PROVIDERS=writer:<port>) learns the engine's address here.
    attach: handle(async (req) => {
      engine.address = req.getAddress();
      logToEngine(engine.address);
      return new emptyproto.Empty();
    }),
    construct: handle(async (req) => construct(req, engine.address, version)),
    cancel: handle(async () => {
      cancelAll();
      return new emptyproto.Empty();
    }),

    checkConfig: handle(async (req) => {
      const news = unwrap(req.getNews().toJavaScript());
      const r = new provproto.CheckResponse();
      r.setInputs(struct(news));
      const failures = [];
      if (news.baseUrl !== undefined && news.baseUrl !== UNKNOWN) {
        try {
          new URL(news.baseUrl);
        } catch {
          failures.push(failure("baseUrl", `writer:baseUrl ${JSON.stringify(news.baseUrl)} is not a URL: set it like http://127.0.0.1:8787`));
        }
      }
      r.setFailuresList(failures);
      return r;
    }),

    diffConfig: handle(async (req) => {
      const olds = unwrap(req.getOlds().toJavaScript());
      const news = unwrap(req.getNews().toJavaScript());
      // Another URL or token changes where calls go, never the objects: an update of the provider.
      const changed = ["baseUrl", "adminToken"].filter((k) => (olds[k] ?? "") !== (news[k] ?? ""));
      const r = new provproto.DiffResponse();
      r.setChanges(changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      r.setDiffsList(changed);
      return r;
    }),

    configure: handle(async (req) => {
      const vars: Record<string, string> = {};
      for (const [k, v] of req.getVariablesMap().entries()) vars[k] = v;
      const args = req.hasArgs() ? unwrap(req.getArgs().toJavaScript()) : {};
      const value = (k: string) => {
        const v = vars[`${PACKAGE}:${k}`] ?? vars[`${PACKAGE}:config:${k}`] ?? args[k];
        return typeof v === "string" && v !== UNKNOWN ? v : undefined;
      };
      setStackConfig({ get: (key: string) => value(key.replace(`${PACKAGE}:`, "")) });
      acceptSecrets = req.getAcceptsecrets();
      const r = new provproto.ConfigureResponse();
      r.setAcceptsecrets(true);
      r.setSupportspreview(true);
      return r;
    }),

    invoke: handle(async (req) => {
      const fn = INVOKES[req.getTok()];
      if (!fn) throw new Error(`unknown function ${req.getTok()}: this provider serves ${Object.keys(INVOKES).join(", ")}`);
      const r = new provproto.InvokeResponse();
      try {
        r.setReturn(struct(await fn(unwrap(req.getArgs().toJavaScript()))));
      } catch (e) {
        // A name that does not resolve fails the preview with what exists.
        if (!(e instanceof LookupNotFoundError)) throw e;
        r.setFailuresList([failure(e.kind === "team" ? "name" : "email", e.message)]);
      }
      return r;
    }),

    check: handle(async (req) => {
      const t = resourceType(req.getUrn());
      const olds = unwrap(req.getOlds()?.toJavaScript() ?? {});
      const rawNews = req.getNews().toJavaScript();
      const news = unwrap(rawNews);
      // The name defaults to the resource's name; the creation key is the URN (stable, unique in the stack).
      const r0 = await t.core.check(olds, { name: nameOf(req.getUrn()), ...news, creationKey: req.getUrn() });
      const r = new provproto.CheckResponse();
      const { creationKey: _k, ...inputs } = r0.inputs as Props;
      r.setInputs(struct(keepSecret(inputs, secretKeys(rawNews), acceptSecrets)));
      r.setFailuresList(r0.failures.map((f) => failure(f.property, f.reason)));
      return r;
    }),

    diff: handle(async (req) => {
      const t = resourceType(req.getUrn());
      const c = t.toCore(req.getId(), unwrap(req.getOlds().toJavaScript()));
      const plan = await t.core.diff(c.id, c.props, unwrap(req.getNews().toJavaScript()));
      const r = new provproto.DiffResponse();
      r.setChanges(plan.changes.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      r.setReplacesList(plan.replaces);
      r.setDiffsList(plan.changes);
      r.setDeletebeforereplace(plan.deleteBeforeReplace ?? false);
      r.setHasdetaileddiff(true);
      const details = detailedDiff(plan);
      for (const [k, v] of Object.entries(details)) r.getDetaileddiffMap().set(k, v);
      return r;
    }),

    create: handle(async (req) => withPulumiContext(fromUrn(req.getUrn(), "create"), async () => {
      const t = resourceType(req.getUrn());
      const raw = req.getProperties().toJavaScript();
      const secrets = secretKeys(raw);
      const inputs = { ...unwrap(raw), creationKey: req.getUrn() };
      const r = new provproto.CreateResponse();
      if (req.getPreview()) {
        const { creationKey: _k, ...shown } = inputs;
        r.setProperties(struct(keepSecret(shown, secrets, acceptSecrets)));
        return r;
      }
      let res;
      try {
        res = await t.core.create(inputs);
      } catch (e: any) {
        if (e && e.id !== undefined && e.properties) {
          const { __provider: _p, ...props } = e.properties;
          throw Object.assign(e, { id: t.fromCore(e.id, props), properties: keepSecret(outputs(t, props, acceptSecrets), secrets, acceptSecrets) });
        }
        throw e;
      }
      r.setId(t.fromCore(res.id, res.outs));
      r.setProperties(struct(keepSecret(outputs(t, res.outs, acceptSecrets), secrets, acceptSecrets)));
      return r;
    })),

    read: handle(async (req) => withPulumiContext(fromUrn(req.getUrn(), "read"), async () => {
      const t = resourceType(req.getUrn());
      const rawProps = req.getProperties()?.toJavaScript() ?? {};
      const secrets = secretKeys(rawProps, req.getInputs()?.toJavaScript());
      const props = unwrap(rawProps);
      const c = t.toCore(req.getId(), props);
      const importing = Object.keys(props).length === 0;
      const res = await t.core.read(c.id, c.props);
      const r = new provproto.ReadResponse();
      if (!res.id || !res.props) return r; // gone: the engine drops it
      if (importing && t.secrets.length) warn(`${typeOf(req.getUrn())} ${req.getId()} imported without its secret (${t.secrets.join(", ")} is empty): Writer never shows a secret twice; rotate it to get one`);
      r.setId(t.fromCore(res.id, res.props));
      r.setProperties(struct(keepSecret(outputs(t, res.props, acceptSecrets), secrets, acceptSecrets)));
      // Inputs only for an import: on a refresh the engine keeps the program's own inputs (ours
      // would drop the provider's bookkeeping, e.g. the rotation anchor, and plan a rotation).
      if (importing && res.inputs) r.setInputs(struct(res.inputs));
      return r;
    })),

    update: handle(async (req) => withPulumiContext(fromUrn(req.getUrn(), "update"), async () => {
      const t = resourceType(req.getUrn());
      const rawNews = req.getNews().toJavaScript();
      const secrets = secretKeys(rawNews, req.getOlds().toJavaScript());
      const c = t.toCore(req.getId(), unwrap(req.getOlds().toJavaScript()));
      const news = unwrap(rawNews);
      const r = new provproto.UpdateResponse();
      if (req.getPreview()) {
        // What the update will make (a rotation's secret) is unknown in the plan, not the old value.
        const planned = t.core.planned?.(c.props, news) ?? {};
        r.setProperties(struct({ ...keepSecret(outputs(t, { ...c.props, ...news }, acceptSecrets), secrets, acceptSecrets), ...planned }));
        return r;
      }
      const res = await t.core.update(c.id, c.props, news);
      r.setProperties(struct(keepSecret(outputs(t, res.outs, acceptSecrets), secrets, acceptSecrets)));
      return r;
    })),

    delete: handle(async (req) => withPulumiContext(fromUrn(req.getUrn(), "delete"), async () => {
      const t = resourceType(req.getUrn());
      const c = t.toCore(req.getId(), unwrap(req.getProperties().toJavaScript()));
      await t.core.delete(c.id, c.props);
      return new emptyproto.Empty();
    })),
  };
}

/** Warnings reach the person through the engine's log service (plugin stderr is only a debug log). */
function logToEngine(engineAddress: string | undefined): void {
  if (!engineAddress) return;
  const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const engineproto = require("@pulumi/pulumi/proto/engine_pb");
  const engine = new enginerpc.EngineClient(engineAddress, grpc.credentials.createInsecure());
  setWarningSink((message) => {
    const req = new engineproto.LogRequest();
    req.setSeverity(engineproto.LogSeverity.WARNING);
    req.setMessage(message);
    engine.log(req, () => undefined);
  });
}

/** Starts the plugin's gRPC server on loopback and prints its port, as the engine expects. */
export async function serve(version: string, engineAddress?: string): Promise<void> {
  engine.address = engineAddress;
  logToEngine(engineAddress);
  const server = new grpc.Server({ "grpc.max_receive_message_length": 1 << 29 } as never);
  server.addService(provrpc.ResourceProviderService, providerService(version) as never);
  const port = await new Promise<number>((ok, fail) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))));
  process.stdout.write(`${port}\n`);
}
