/**
 * The one way bad input is reported: a typed {@link InvalidReport} to the `onInvalid` callback of the stage or
 * operator that met it, the input then dropped (or repaired), the stream going on.
 *
 * @module
 */
import type { InvalidHandler, InvalidReason } from './events.js';
import { show } from './show.js';

/**
 * Reports an invalid input to `onInvalid`, if there is one: `{ reason, event, message }`, and the reason's own
 * fields (`details`) when it has some. What follows is the caller's: the input is dropped or repaired, never the
 * stream ended.
 */
export function report(
  onInvalid: InvalidHandler | undefined,
  reason: InvalidReason,
  event: unknown,
  message: string,
  details?: object,
): void {
  if (onInvalid === undefined) return;
  onInvalid(details === undefined ? { reason, event, message } : { ...details, reason, event, message });
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
