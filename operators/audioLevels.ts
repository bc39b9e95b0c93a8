import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { AudioLevelObserver, type AudioLevelsEvent } from '../src/stages/audioLevelObserver.js';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { checkNumber, checkOnInvalid, checkOptionsObject, checkScheduler } from '../src/options/checks.js';
import { fromStage } from './internal/fromStage.js';

/**
 * Options of {@link audioLevels}.
 *
 * @group Operators
 */
export interface AudioLevelsOptions {
  /** How often volumes are reported, in ms: > 0, default 1000. */
  readonly interval?: number | undefined;
  /** Sources whose mean level over the interval is above this are reported, in dBov: -127..0, default -80. */
  readonly threshold?: number | undefined;
  /** At most this many sources per report: an integer >= 1, default 1. */
  readonly maxEntries?: number | undefined;
  /** Where time comes from; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Reports the room's volumes as mediasoup's `AudioLevelObserver` does: every `interval` ms, the sources whose mean
 * level over the interval is above `threshold`, loudest first, at most `maxEntries`, as
 * `{ type: 'volumes', volumes: [{ source, level }] }`; when none is above, one `{ type: 'silence' }`, not repeated
 * while silence lasts. Intervals run from the first source known, and no timer runs while no source is known (a
 * source is forgotten when removed, or after an interval in which it sent nothing).
 *
 * ```
 * source:  A-A-A-B---------------|    A: alice at -30, B: bob at -90 (below the threshold)
 * audioLevels({ interval: 10 })
 * output:  ----------v---------s      v: volumes [alice -30]; s: silence (bob forgotten at 30, no timer after)
 * ```
 *
 * ## Example
 * ```ts
 * import { audioLevels } from 'rx-audio-mixer';
 *
 * room$.pipe(audioLevels({ interval: 800, maxEntries: 3 })).subscribe((e) => {
 *   if (e.type === 'volumes') ui.highlight(e.volumes.map((v) => v.source));
 * });
 * ```
 *
 * @param options `interval`, `threshold`, `maxEntries`, `scheduler`, `onInvalid`; checked at once.
 * @return A function that returns an Observable of volumes and silences.
 *
 * @group Operators
 */
export function audioLevels<S = string, D = Uint8Array>(
  options: AudioLevelsOptions = {},
): OperatorFunction<SourceEvent<S, D>, AudioLevelsEvent<S>> {
  checkOptionsObject(options);
  const config = {
    interval: checkNumber('interval', options.interval, 1000, (v) => v > 0, 'a number of ms > 0'),
    threshold: checkNumber('threshold', options.threshold, -80, (v) => v >= -127 && v <= 0, 'dBov in -127..0'),
    maxEntries: checkNumber(
      'maxEntries',
      options.maxEntries,
      1,
      (v) => Number.isInteger(v) && v >= 1,
      'an integer >= 1',
    ),
    onInvalid: checkOnInvalid(options.onInvalid),
  };
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new AudioLevelObserver<S, D>(config, emit), scheduler);
}
