/**
 * The engine's Cancel (Ctrl-C twice, or a deadline): every admin call in flight ends at once and
 * none starts after it. One per provider process: the engine cancels a plugin as a whole.
 */
const controller = new AbortController();

export const cancellation: AbortSignal = controller.signal;

export function cancelAll(reason = "cancelled: the Pulumi engine asked the provider to stop"): void {
  if (!controller.signal.aborted) controller.abort(new Error(reason));
}

/** Throws the cancellation's reason once cancelled. */
export function throwIfCancelled(): void {
  if (controller.signal.aborted) throw controller.signal.reason as Error;
}
