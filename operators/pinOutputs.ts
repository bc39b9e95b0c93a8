import type { OperatorFunction } from 'rxjs';
import type { OutputEvent, SelectionEvent } from '../src/events/events.js';
import { checkOnInvalid, checkOptionsObject, checkOutputs } from '../src/options/checks.js';
import { OutputPinner } from '../src/stages/outputPinner.js';
import { fromStage } from './internal/fromStage.js';
import type { PinOutputsOptions } from './options.js';

/**
 * Gives each selected source an output track: `source-selected` pins the lowest-numbered free output,
 * `source-deselected` unpins it, and a selected source's packet becomes an `output-pkt` on its output.
 *
 * On complete or error, every pinned output is unpinned in ascending order before the stream ends, so every
 * `output-pin` is matched by exactly one `output-unpin`.
 *
 * ```
 * source:  s--t--A--d--|        s: a selected, t: b selected, A: a packet of a, d: a deselected
 * pinOutputs({ outputs: 2 })
 * output:  P--Q--K--U--(V|)     P: pin 0 a, Q: pin 1 b, K: pkt 0 a, U: unpin 0 a, V: unpin 1 b
 * ```
 *
 * ## Example
 * ```ts
 * import { pinOutputs, selectLoudest, trackLevels } from 'rx-audio-mixer';
 *
 * room$.pipe(trackLevels(), selectLoudest({ outputs: 2 }), pinOutputs({ outputs: 2 })).subscribe((event) => {
 *   if (event.type === 'output-pin') console.log(`output ${event.output} now carries ${event.source}`);
 * });
 * ```
 *
 * @param options `outputs` (required), `onInvalid`.
 * @return A function that returns an Observable of output events.
 *
 * @group Operators
 */
export function pinOutputs<S = string, D = Uint8Array>(
  options: PinOutputsOptions,
): OperatorFunction<SelectionEvent<S, D>, OutputEvent<S, D>> {
  checkOptionsObject(options);
  const config = { outputs: checkOutputs(options.outputs), onInvalid: checkOnInvalid(options.onInvalid) };
  return fromStage((emit) => new OutputPinner<S, D>(config, emit));
}
