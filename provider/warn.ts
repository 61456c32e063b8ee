/**
 * Warnings for the person running Pulumi. The dynamic-provider process has no engine logging
 * channel (what it writes to stderr is shown beside the resource); the native plugin sends them to
 * the engine's log service instead (setWarningSink). Messages are redacted like errors.
 */
import { redact } from "./errors";

let sink: ((message: string) => void) | undefined;

/** Where warnings go instead of stderr (the native plugin: the engine's Log RPC). */
export function setWarningSink(s: ((message: string) => void) | undefined): void {
  sink = s;
}

export function warn(message: string): void {
  const m = redact(message);
  if (sink) sink(m);
  else process.stderr.write(`warning: ${m}\n`);
}
