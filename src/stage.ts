import type { InvalidHandler, InvalidReason } from './events.js';
import { show } from './show.js';

/**
 * A sans-IO state machine: it takes events and the current time, and hands what follows to the `emit` callback it
 * was built with. No clock, no timer, no RxJS: the operators in `operators/` adapt it to observables.
 */
export interface Stage<I> {
  /** Takes one input event at time `now` (ms). */
  push(event: I, now: number): void;
  /** The time at which {@link Stage.expire} has something to do, or `undefined` while nothing can time out. */
  nextDeadline(): number | undefined;
  /** Emits what is due at `now` (timeouts). */
  expire(now: number): void;
  /**
   * The input ended at `now`, completed or failed alike: emits what is due, releases every output, and forgets all
   * state.
   */
  end(now: number): void;
}

/**
 * A stage that does not depend on time: no deadlines and nothing to expire. Subclasses that hold nothing inherit a
 * no-op {@link Stage.end}.
 */
export abstract class TimelessStage<I> implements Stage<I> {
  abstract push(event: I, now: number): void;

  nextDeadline(): undefined {
    return undefined;
  }

  expire(): void {
    // Nothing here depends on time.
  }

  end(): void {
    // Nothing held.
  }
}

/** Reports an invalid input to `onInvalid`, if there is one. */
export function report(
  onInvalid: InvalidHandler | undefined,
  reason: InvalidReason,
  event: unknown,
  message: string,
): void {
  onInvalid?.({ reason, event, message });
}

/** Reports a second `source-added` (or selection) of a known source. */
export function reportDuplicate(
  onInvalid: InvalidHandler | undefined,
  event: { readonly source: unknown },
  what = 'was already added',
): void {
  report(onInvalid, 'duplicate-source', event, `source ${show(event.source)} ${what}`);
}

/** Reports a removal (or deselection) of a source that is not known. */
export function reportUnknown(
  onInvalid: InvalidHandler | undefined,
  event: { readonly source: unknown },
  what = 'is not known',
): void {
  report(onInvalid, 'unknown-source', event, `source ${show(event.source)} ${what}`);
}

/** The `type` of an event, or `undefined` when it is not an object with a string `type`. */
export function typeOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const type: unknown = (event as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** Reports an event that is not one this stage takes. */
export function reportInvalidEvent(onInvalid: InvalidHandler | undefined, event: unknown, expected: string): void {
  report(onInvalid, 'invalid-event', event, `expected ${expected}, got ${describe(event)}`);
}

function describe(event: unknown): string {
  const type = typeOf(event);
  if (type !== undefined) return `an event of type '${type}'`;
  return typeof event === 'object' && event !== null ? 'an object without a type' : show(event);
}
