/**
 * The dynamic-provider process has no engine logging channel; what it writes to stderr is shown
 * by the engine beside the resource. Messages are redacted like errors.
 */
import { redact } from "./errors";

export function warn(message: string): void {
  process.stderr.write(`warning: ${redact(message)}\n`);
}
