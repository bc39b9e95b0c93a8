import type { OperatorFunction } from 'rxjs';
import type { LevelledSourceEvent, SourceEvent } from '../src/events/events.js';
import { LevelTracker } from '../src/stages/levelTracker.js';
import { checkOnInvalid, checkOptionsObject } from '../src/options/checks.js';
import { fromStage } from './internal/fromStage.js';
import type { TrackLevelsOptions } from './options.js';

/**
 * Gives every packet a usable level in dBov: a missing level becomes -127 (silence), levels above 0 or below -127
 * are clamped, and NaN, infinities and non-numbers become -127; all but the missing level are reported to
 * `onInvalid`. Packets whose level is already valid pass through as the same object.
 *
 * Its output is a {@link SourceEvent} stream whose packets always carry a number, the place for a normalisation
 * step of your own before {@link selectLoudest}.
 *
 * ```
 * source:  a--b--c--|        a: level -30, b: no level, c: level 7
 * trackLevels()
 * output:  a--B--C--|        B: level -127; C: level 0 (reported as out of range)
 * ```
 *
 * ## Example
 * ```ts
 * import { map } from 'rxjs';
 * import { trackLevels, selectLoudest } from 'rx-audio-mixer';
 *
 * // Make a quiet microphone count 6 dB louder before selection.
 * room$.pipe(
 *   trackLevels(),
 *   map((e) => (e.type === 'source-pkt' && e.source === 'quiet-mic' ? { ...e, level: Math.min(0, e.level + 6) } : e)),
 *   selectLoudest({ outputs: 3 }),
 * );
 * ```
 *
 * @param options `onInvalid`.
 * @return A function that returns an Observable of source events with normalised levels.
 *
 * @group Operators
 */
export function trackLevels<S = string, D = Uint8Array>(
  options: TrackLevelsOptions = {},
): OperatorFunction<SourceEvent<S, D>, LevelledSourceEvent<S, D>> {
  checkOptionsObject(options);
  const config = { onInvalid: checkOnInvalid(options.onInvalid) };
  return fromStage((emit) => new LevelTracker<S, D>(config, emit));
}
