import { warn } from "../warn";
import type { CheckFailure } from "../inputs";

/** What an update or replacement would change: property names, as the engine shows them. */
export interface Plan {
  /** Every property that differs (replacing ones included). */
  changes: string[];
  /** The properties whose change replaces the object. */
  replaces: string[];
  /** Delete the old object before creating the new one (default: create first). */
  deleteBeforeReplace?: boolean;
}

/**
 * One resource's lifecycle, typed by its inputs and outputs: the single implementation that the
 * dynamic providers (./dynamic) and the native plugin both serve.
 */
export interface ResourceCore<I, O> {
  /** Validates and completes the inputs; never calls the API (it runs at preview). */
  check(olds: Partial<I>, news: I): Promise<{ inputs: I; failures: CheckFailure[] }>;
  diff(id: string, olds: O, news: I): Promise<Plan>;
  create(inputs: I): Promise<{ id: string; outs: O }>;
  /** An empty answer means the object is gone (a clear 404), and state drops it. */
  read(id: string, props: Partial<O>): Promise<{ id?: string; props?: O; inputs?: I }>;
  update(id: string, olds: O, news: I): Promise<{ outs: O }>;
  /**
   * For a preview of an update: the outputs the update will set to values it cannot know yet
   * (as UNKNOWN), e.g. the new secret of a planned rotation. Default: none.
   */
  planned?(olds: O, news: I): Partial<Record<keyof O, string>>;
  delete(id: string, props: O): Promise<void>;
}

/** Engine bookkeeping in inputs that is never sent to the API nor compared. */
export const BOOKKEEPING = new Set(["__provider", "creationKey", "creationNonce"]);

/**
 * Runs what must follow a create (disable the key, revoke the Production key). If it fails, the
 * object exists all the same: the error carries its id and outputs so the engine records it
 * ("created but failed to initialise") instead of leaving an orphan (lessons.md).
 */
export async function partialCreate(id: string, outs: object, inputs: object, what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (e) {
    const reason = (e as Error).message;
    throw Object.assign(new Error(`${id} was created but ${what}: ${reason}`), {
      id,
      properties: { ...outs, __provider: (inputs as { __provider?: unknown }).__provider },
      reasons: [reason],
    });
  }
}

/** See createOnce.ts answeredInThisDeployment: the replacement is the old object, so nothing is deleted. */
export function sameObjectWarning(type: string, id: string): void {
  warn(`${type} ${id}: its replacement's create got this same object back (a create key still replayable after an interrupted deployment), so it was not deleted; run the replacement again to get a new one`);
}
