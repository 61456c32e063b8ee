import { loadPepper } from "../crypto";
import { openSqliteStore } from "./sqlite";

export * from "./types";
export * from "./errors";
export { DEFAULT_SEED, readSeedFile, seedIfEmpty, SeedSchema, type Seed } from "./seed";
export type { SqliteStore } from "./sqlite";

/** Opens the data dir's store (SQLite, the embedded default). */
export function openStore(dataDir: string) {
  return openSqliteStore(dataDir, loadPepper(dataDir));
}
