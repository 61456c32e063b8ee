import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_TOKEN_FILE, ADMIN_TOKEN_PREFIX, PEPPER_FILE } from "../api";

/** Secret files live in the data dir, readable only by the owner; created once and reused. */
function readOrCreate(path: string, make: () => Buffer): Buffer {
  if (existsSync(path)) return readFileSync(path);
  const value = make();
  // "wx": if two processes race on first start, one loses with EEXIST and reads the winner's file.
  try {
    writeFileSync(path, value, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return readFileSync(path);
  }
  chmodSync(path, 0o600);
  return value;
}

/** 32 random bytes keying every secret hash; without it the DB's hashes can't be brute-forced offline. */
export function loadPepper(dataDir: string): Buffer {
  return readOrCreate(join(dataDir, PEPPER_FILE), () => randomBytes(32));
}

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, ADMIN_TOKEN_FILE);
}

export function loadOrCreateAdminToken(dataDir: string): string {
  const buf = readOrCreate(adminTokenPath(dataDir), () =>
    Buffer.from(ADMIN_TOKEN_PREFIX + randomBytes(32).toString("base64url") + "\n"),
  );
  return buf.toString("utf8").trim();
}

export const sha256 = (s: string | Buffer): Buffer => createHash("sha256").update(s).digest();

/** Keyed SHA-256: secrets are 256-bit random, so a slow password hash would buy nothing. */
export function hashSecret(pepper: Buffer, secret: string): string {
  return createHmac("sha256", pepper).update(secret).digest("hex");
}

/** Constant-time comparison: both sides are hashed first so lengths never differ. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** AES-256-GCM under a key derived from (pepper, idempotency key); see store/idempotency.ts. */
export function idempotencyCipherKey(pepper: Buffer, idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync("sha256", pepper, Buffer.from(idempotencyKey, "utf8"), "writer-local idempotency v1", 32));
}

export function seal(key: Buffer, plaintext: string, aad: string) {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  return { iv, tag: c.getAuthTag(), body };
}

export function open(key: Buffer, sealed: { iv: Buffer; tag: Buffer; body: Buffer }, aad: string): string {
  const d = createDecipheriv("aes-256-gcm", key, sealed.iv);
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(sealed.tag);
  return Buffer.concat([d.update(sealed.body), d.final()]).toString("utf8");
}
