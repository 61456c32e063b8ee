// Names and defaults that the provider, the SDK and writer-local must agree on, defined once.

/** Where `pulumi up` sends admin calls unless configured otherwise: writer-local's default listener. */
export const DEFAULT_PORT = 8787;
export const DEFAULT_BASE_URL = `http://127.0.0.1:${DEFAULT_PORT}`;
/** writer-local's data directory (relative to its working directory) unless configured otherwise. */
export const DEFAULT_DATA_DIR = ".writer-local";
/** The file in the data dir holding writer-local's generated admin token (0600). */
export const ADMIN_TOKEN_FILE = "admin-token";
/** The file in the data dir holding the pepper that keys every stored secret hash (0600). */
export const PEPPER_FILE = "pepper";
/** The SQLite database in the data dir. */
export const DATABASE_FILE = "writer-local.db";
/** Admin tokens writer-local generates start with this, so scanners (and redaction) can find them. */
export const ADMIN_TOKEN_PREFIX = "writer_admin_";
/** API key secrets start with this. */
export const SECRET_PREFIX = "writer_sk_";
/** A team-scoped key may assert its team with this header; another team's id is refused. */
export const TEAM_HEADER = "x-writer-team-id";
/** Idempotent POSTs. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Set on an answer replayed for a repeated Idempotency-Key. */
export const REPLAYED_HEADER = "idempotent-replayed";
/** The name of the key every new agent comes with. */
export const DEFAULT_KEY_NAME = "Production";
