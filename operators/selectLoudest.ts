import { asyncScheduler, type OperatorFunction } from 'rxjs';
import type { LevelledSourceEvent, SelectionEvent } from '../src/events/events.js';
import { LoudestSelector } from '../src/stages/loudestSelector.js';
import {
  checkMinHold,
  checkOnInvalid,
  checkOptionsObject,
  checkOutputs,
  checkScheduler,
  checkThreshold,
} from '../src/options/checks.js';
import { fromStage } from './internal/fromStage.js';
import type { SelectLoudestOptions } from './options.js';

/**
 * Keeps the `outputs` loudest sources selected, with a `threshold` of hysteresis against rapid switching.
 *
 * A new source is selected while fewer than `outputs` are, otherwise it waits as a candidate at -127. A candidate
 * whose packet level is at least the quietest selected level + `threshold` replaces that source:
 * `source-deselected`, `source-selected`, then the packet. A removed selected source is replaced at once by the
 * loudest candidate. Only packets of selected sources are forwarded.
 *
 * Ties between equal levels: the quietest selected source is the one touched (added, packet, selected or
 * deselected) longest ago; the loudest candidate is the one touched most recently.
 *
 * ```
 * source:  a--b--B------|        a, b: added; B: a packet of b at -20 (a is still at -127)
 * selectLoudest({ outputs: 1, threshold: 30 })
 * output:  s-----(dtB)--|        s: a selected; d: a deselected, t: b selected, then B
 * ```
 *
 * ## Example
 * ```ts
 * import { selectLoudest, trackLevels } from 'rx-audio-mixer';
 *
 * room$.pipe(trackLevels(), selectLoudest({ outputs: 3, threshold: 20 })).subscribe((event) => {
 *   if (event.type === 'source-selected') console.log(`${event.source} is now heard`);
 * });
 * ```
 *
 * With `minHold`, a source selected less than `minHold` ms ago cannot be displaced by the threshold rule (the
 * quietest of the others can); the time comes from `scheduler`, read only then.
 *
 * @param options `outputs` (required), `threshold` (dB, default 30), `minHold` (ms, default 0), `scheduler`
 * (default `asyncScheduler`, read only with a `minHold`), `onInvalid`.
 * @return A function that returns an Observable of selection changes and the selected sources' packets.
 *
 * @group Operators
 */
export function selectLoudest<S = string, D = Uint8Array>(
  options: SelectLoudestOptions,
): OperatorFunction<LevelledSourceEvent<S, D>, SelectionEvent<S, D>> {
  checkOptionsObject(options);
  const config = {
    outputs: checkOutputs(options.outputs),
    threshold: checkThreshold(options.threshold),
    minHold: checkMinHold(options.minHold),
    onInvalid: checkOnInvalid(options.onInvalid),
  };
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  // Without a hold the stage never looks at the time, and is given none.
  return fromStage((emit) => new LoudestSelector<S, D>(config, emit), config.minHold > 0 ? scheduler : undefined);
}
