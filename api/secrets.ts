import { crc32 } from "node:zlib";
import { randomBytes } from "node:crypto";
import { SECRET_PREFIX } from "./constants";

/**
 * API key secrets: `writer_sk_` + 43 base64url chars (256 random bits) + `_` + 8 hex chars of
 * CRC32 over what precedes. The prefix lets secret scanners find leaked keys; the checksum
 * lets the server (and scanners) reject a malformed key without a database lookup.
 */
const BODY_LEN = 43;
export const SECRET_PATTERN = /^writer_sk_[A-Za-z0-9_-]{43}_[0-9a-f]{8}$/;

function checksum(s: string): string {
  return (crc32(s) >>> 0).toString(16).padStart(8, "0");
}

export function generateSecret(): string {
  const body = SECRET_PREFIX + randomBytes(32).toString("base64url");
  return `${body}_${checksum(body)}`;
}

/** True when the string has the secret format and its checksum matches. */
export function isWellFormedSecret(s: string): boolean {
  if (typeof s !== "string" || !SECRET_PATTERN.test(s)) return false;
  const body = s.slice(0, SECRET_PREFIX.length + BODY_LEN);
  return s.slice(-8) === checksum(body);
}

/** The masked form shown in the UI and the API: prefix, ellipsis, last 4. */
export function maskSecret(s: string): string {
  return `${SECRET_PREFIX}…${s.slice(-4)}`;
}
