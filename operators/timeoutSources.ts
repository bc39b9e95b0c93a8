import { asyncScheduler, type MonoTypeOperatorFunction } from 'rxjs';
import type { SourceEvent } from '../src/events/events.js';
import { checkOnInvalid, checkOptionsObject, checkScheduler, checkTimeout } from '../src/options/checks.js';
import { SourceTimeouts } from '../src/stages/sourceTimeouts.js';
import { fromStage } from './internal/fromStage.js';
import type { TimeoutSourcesOptions } from './options.js';

/**
 * Removes sources that have sent nothing for `timeout` ms, and makes the source stream well-formed.
 *
 * A source with no event (added or packet) for `timeout` ms gets a `source-removed` at exactly
 * `last event time + timeout` in scheduler time; several at once go oldest activity first. A packet of an unknown
 * source is preceded by a `source-added`; a duplicate `source-added` and a `source-removed` of an unknown source are
 * reported to `onInvalid` and dropped. No timer runs while no source is known.
 *
 * ```
 * source:  a--A----------|        a: a added; A: a packet of a
 * timeoutSources({ timeout: 5 })
 * output:  a--A----r-----|        r: a removed, 5 frames after its last packet
 * ```
 *
 * ## Example
 * ```ts
 * import { timeoutSources, trackLevels, selectLoudest, pinOutputs } from 'rx-audio-mixer';
 *
 * const options = { outputs: 3, timeout: 2000 };
 * room$.pipe(timeoutSources(options), trackLevels(options), selectLoudest(options), pinOutputs(options));
 * ```
 *
 * @param options `timeout` (ms, default 1000), `scheduler` (default `asyncScheduler`), `onInvalid`.
 * @return A function that returns an Observable of the same source events, well-formed, plus timeout removals.
 *
 * @group Operators
 */
export function timeoutSources<S = string, D = Uint8Array>(
  options: TimeoutSourcesOptions = {},
): MonoTypeOperatorFunction<SourceEvent<S, D>> {
  checkOptionsObject(options);
  const config = { timeout: checkTimeout(options.timeout), onInvalid: checkOnInvalid(options.onInvalid) };
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new SourceTimeouts<S, D>(config, emit), scheduler);
}
