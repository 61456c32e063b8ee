import type { z } from "zod/v4";
import type {
  AdminToken, AdminTokenWithSecret, Agent, AgentWithDefaultKey, AuditEntry, AuditQuery, CreateAdminToken, CreateAgent, CreateKeySchema, CreateUser, Key,
  KeyWithSecret, ManagedBy, PageOf, PageQuery, Team, UpdateAgent, UpdateKeySchema, UsageDay, User,
} from "../../api";
import type { NewAuditEntry } from "./domain/audit";
import type { Session } from "./domain/sessions";
import type { AdminTokenRow } from "./schema";

/** An Idempotency-Key request's record location and sealing key (see idempotency.ts). */
export interface IdempotencyContext {
  rowKey: string;
  requestHash: string;
  cipherKey: Buffer;
}
/** Passed to a write so the answer is recorded in the same transaction as the write itself. */
export interface Idem {
  ctx: IdempotencyContext;
  status: number;
}

export type Lookup = { kind: "miss" } | { kind: "mismatch" } | { kind: "replay"; status: number; body: string };

/** A key to create and a key's changes, as the admin API validated them. */
export type NewKey = Omit<z.output<typeof CreateKeySchema>, "scope"> & { scope: "all_teams" | "team" };
export type KeyPatch = z.output<typeof UpdateKeySchema>;

/** A write's result and, when it carried an Idempotency-Key, the exact JSON that was recorded. */
export interface Written<T> {
  value: T;
  json: string;
}

/** Why the data plane refuses a request, in the store's terms (the data plane maps them to 401/403). */
export type Refusal = "unknown_key" | "revoked" | "disabled" | "expired" | "previous_secret_expired" | "capability" | "team";
/** Why the gateway turns away an authorized request (429). */
export type LimitRefusal = "requests_per_minute" | "tokens_per_minute" | "token_budget";

export interface Limits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokenBudget: { tokens: number; period: "day" | "month" } | null;
}

/** Whether a key has any limit at all (a key without any costs its store no shared state). */
export const hasLimits = (l: Limits): boolean => l.requestsPerMinute !== null || l.tokensPerMinute !== null || l.tokenBudget !== null;

/** Whether a key's tokens are limited (a tokens-per-minute limit or a budget): its requests reserve tokens. */
export const limitsTokens = (l: Limits): boolean => l.tokensPerMinute !== null || l.tokenBudget !== null;

/** The key a data-plane request was authorized as. */
export interface Principal {
  keyId: string;
  agentId: string;
  scope: "all_teams" | "team";
  teamId: string | null;
  limits: Limits;
  /** Its agent's capabilities (chat tools need more than the endpoint's own). */
  capabilities: ReadonlySet<string>;
}

/**
 * Tokens held for a request of a key whose tokens are limited, from admission until its answer
 * ends: what it may spend at most (its prompt's upper bound plus its answer's bound). Settled to
 * what was really spent (spend()).
 */
export interface Reservation {
  keyId: string;
  agentId: string;
  tokens: number;
  /** When it was made: its minute window and budget period are the ones it is settled in. */
  at: number;
}

/** What a request spent, and how much of it is an estimate (Writer reported nothing for it). */
export interface Spent {
  prompt: number;
  completion: number;
  estimatedPrompt: number;
  estimatedCompletion: number;
}

/**
 * `neverFits`: the request alone asks for more than the limit itself (no wait would help: the
 * gateway answers 400, not 429).
 */
export type Admission =
  | { ok: true; reservation: Reservation | null }
  | { ok: false; reason: LimitRefusal; retryAfterSeconds: number; neverFits?: boolean };

export type { UsageDay };
export interface UsageQuery {
  agentId: string;
  keyId?: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from: string;
  to: string;
}

/** Objects the data plane creates, kept apart per agent (and team): the endpoint table's kinds. */
import type { ObjectKind } from "../../api";
export type { ObjectKind };
export interface Owner {
  agentId: string;
  teamId: string | null;
}

export type Decision = { ok: true; principal: Principal } | { ok: false; refusal: Refusal; keyId?: string; agentId?: string };

/**
 * writer-local's storage, as domain operations. Each write is one transaction; every method is
 * async so that an engine with a network round trip (PostgreSQL) can stand behind the same
 * interface. Methods throw the domain errors of ./errors.ts.
 */
export interface Store {
  teams: {
    list(q: PageQuery): Promise<PageOf<Team>>;
    get(id: string): Promise<Team>;
    create(name: string, idem?: Idem): Promise<Written<Team>>;
  };
  users: {
    /** `teamId`: only that team's members (what a team_admin sees). */
    list(q: PageQuery, email?: string, teamId?: string): Promise<PageOf<User>>;
    get(id: string): Promise<User>;
    create(u: CreateUser, idem?: Idem): Promise<Written<User>>;
  };
  agents: {
    list(q: PageQuery): Promise<PageOf<Agent>>;
    get(id: string): Promise<Agent>;
    /** The agent with its default "Production" all-teams key. `managed`: the stack whose provider made the call. */
    create(a: CreateAgent, idem?: Idem, managed?: ManagedBy): Promise<Written<AgentWithDefaultKey>>;
    update(id: string, p: UpdateAgent, managed?: ManagedBy): Promise<Agent>;
    /** Soft delete; every key of the agent is revoked with it. */
    delete(id: string): Promise<void>;
    setCapability(id: string, capability: string, on: boolean, managed?: ManagedBy): Promise<Agent>;
  };
  keys: {
    /** `teamId`: only the keys scoped to that team (what a team_admin sees). */
    list(agentId: string, q: PageQuery, teamId?: string): Promise<PageOf<Key>>;
    get(agentId: string, id: string): Promise<Key>;
    create(agentId: string, k: NewKey, idem?: Idem, managed?: ManagedBy): Promise<Written<KeyWithSecret>>;
    update(agentId: string, id: string, p: KeyPatch, managed?: ManagedBy): Promise<Key>;
    regenerate(agentId: string, id: string, graceSeconds: number, idem?: Idem, managed?: ManagedBy): Promise<Written<KeyWithSecret>>;
    revoke(agentId: string, id: string): Promise<void>;
    /** The live or revoked key whose current or previous secret this is (leak reports). */
    bySecret(secret: string): Promise<{ key: Key; revokedAt: number | null } | undefined>;
  };
  /** Admin tokens: who may administer, with which role. */
  tokens: {
    /** The live token with this secret (memoised like key lookups: a revoke holds from the next request). */
    authenticate(secret: string): Promise<AdminTokenRow | undefined>;
    /**
     * On an empty token table, the configured token becomes the org_admin "bootstrap". Answers
     * whether the configured token is a live admin token of this store (false: it was revoked, or
     * the table had tokens before it was configured, and it will be refused).
     */
    bootstrap(secret: string): Promise<boolean>;
    create(t: CreateAdminToken, idem?: Idem): Promise<Written<AdminTokenWithSecret>>;
    list(q: PageQuery): Promise<PageOf<AdminToken>>;
    get(id: string): Promise<AdminToken>;
    revoke(id: string): Promise<void>;
  };
  audit: {
    append(e: NewAuditEntry): Promise<AuditEntry>;
    list(q: AuditQuery): Promise<PageOf<AuditEntry>>;
    verify(): Promise<{ checked: number; bad: { id: string; seq: number; why: string } | null }>;
    purgeBefore(at: number): Promise<number>;
  };
  /** Console sign-ins, shared by every replica. */
  sessions: {
    create(tokenId: string): Promise<string>;
    get(id: string | undefined): Promise<Session | undefined>;
    setFlash(id: string, flash: Session["flash"]): Promise<void>;
    takeFlash(id: string): Promise<Session["flash"]>;
    end(id: string | undefined): Promise<void>;
  };
  idempotency: {
    context(scope: string, key: string, body: unknown): IdempotencyContext;
    rowKey(scope: string, key: string): string;
    release(rowKeys: string[]): Promise<number>;
    lookup(ctx: IdempotencyContext): Promise<Lookup>;
    purgeExpired(): Promise<number>;
  };
  /** The data plane's access decision: one memoised lookup; admin changes hold from the next request. */
  access: {
    /** Answers synchronously from the memo when it can (the data plane's hot path), else a promise. */
    authorize(secret: string, capability: string, now: number, team: string | undefined): Decision | Promise<Decision>;
    /** Records use (last_used_at), throttled and batched; never invalidates the access memo. */
    touch(keyId: string, now: number): void;
  };
  /** Per-key limits and usage (admission answers at once from memory; a promise where replicas share limits). */
  usage: {
    /**
     * Counts the request against its key's limits and, for a key whose tokens are limited,
     * reserves `reserve` tokens (refused when they do not fit what is left).
     */
    admit(p: Principal, now: number, reserve: number): Admission | Promise<Admission>;
    /**
     * What a request spent, settling its reservation (if any). Never throws: a failed write is
     * retried with the next one.
     */
    spend(p: Principal, reservation: Reservation | null, spent: Spent, now: number): void;
    refuse(keyId: string, agentId: string, reason: string, now: number): void;
    report(q: UsageQuery): Promise<UsageDay[]>;
  };
  /** Who created the objects made through the data plane. */
  objects: {
    /** Recorded before the answer leaves, so the next request (to any replica) sees it. */
    own(kind: ObjectKind, id: string, owner: Owner, now: number): Promise<void>;
    ownerOf(kind: ObjectKind, id: string): Promise<Owner | undefined>;
  };
  /** Figures for the metrics: memo answers and lookups, when usage was last written, the database pool. */
  stats(): { memo: number; database: number; invalidations: number; lastUsageFlush: number; pool?: Record<string, number> };
  /** Whether the database is empty of teams, users and agents (seed only then). */
  isEmpty(): Promise<boolean>;
  /** Runs fn alone among the processes sharing the database (seeding an empty one); plain call when there is only this one. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Everything the store holds, for moving a database between engines (writer-local export). */
  dump(): Promise<Dump>;
  /** Fills an EMPTY database from a dump (writer-local import). */
  load(d: Dump): Promise<void>;
  close(): Promise<void>;
}

/** The tables as rows, for export/import. Binary columns are base64; times integer milliseconds. */
export interface Dump {
  format: "writer-local-dump";
  version: 1;
  tables: Record<string, Record<string, unknown>[]>;
}
