import { isWellFormedSecret } from "../api";
import type { AdminClient } from "./client";

/**
 * Checks an adopted secret before it is accepted into state: well-formed, its last four
 * characters match the key's masked form, and the data plane authenticates it (200, or 403
 * meaning "authenticated but this agent lacks the models capability"). Returns why not, or
 * undefined when it is good. The secret is never put in the message.
 */
export async function verifySecret(c: AdminClient, secret: string, masked: string): Promise<string | undefined> {
  if (!isWellFormedSecret(secret)) return "the given secret is not a well-formed Writer key (prefix or checksum wrong)";
  if (!masked.endsWith(secret.slice(-4))) return "the given secret does not belong to this key (its last characters differ from the key's masked form)";
  try {
    const status = await c.probe("/v1/models", secret);
    if (status === 200 || status === 403) return undefined;
    return `the server refused the given secret (${status}): it is revoked, disabled, expired or wrong`;
  } catch (e) {
    return `the secret could not be checked: ${(e as Error).message}`;
  }
}
