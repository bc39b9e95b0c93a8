import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { LevelNormaliser } from '../src/stages/levelNormaliser.js';
import {
  checkOnInvalid,
  checkOptionsObject,
  checkScheduler,
  checkTimeout,
  checkNumber,
} from '../src/stages/options.js';
import { show } from '../src/events/show.js';
import { fromStage } from './internal/fromStage.js';

/**
 * Options of {@link normaliseLevels}.
 *
 * @group Operators
 */
export interface NormaliseLevelsOptions<S = string> {
  /** The span of recent levels a source's floor is learnt from, in ms: > 0, default 10 000. */
  readonly window?: number | undefined;
  /** The floor is this percentile of the window's levels: 0..100, default 10. */
  readonly percentile?: number | undefined;
  /** The lowest floor, in dBov: -127..0, default -80. */
  readonly minFloor?: number | undefined;
  /** The highest floor, in dBov: -127..0 and >= `minFloor`, default -50. */
  readonly maxFloor?: number | undefined;
  /** A per-source gain offset in dB, added after normalisation (a calibration); read on every packet. */
  readonly gain?: ((source: S) => number) | undefined;
  /** Silence after which a source's state is dropped, in ms: > 0, default 1000 (the mixer's default timeout). */
  readonly timeout?: number | undefined;
  /** Where time comes from; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Receives a report for every input that is not a source event. */
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * The defaults of {@link normaliseLevels}.
 *
 * @group Operators
 */
export const NORMALISE_DEFAULTS = { window: 10_000, percentile: 10, minFloor: -80, maxFloor: -50 } as const;

/**
 * Makes sources comparable before selection: each packet's level becomes its level above its source's own noise
 * floor (`-127 + level - floor + gain`, in -127..0), so that a steady fan or a sender whose pauses measure -65 ranks
 * as silence, and speech ranks by how far it rises above its sender's background.
 *
 * The floor is the `percentile` of the source's levels over the last `window` ms, kept in two histograms of the 128
 * dB values (O(1) per packet), recomputed twice a second, within `minFloor`..`maxFloor`. It adapts to a changed
 * background within half a window to a window (5 s to 10 s by default); a source that joins mid-sentence starts with
 * its floor at `maxFloor`, so its speech is not learnt as silence. Adds and removals pass unchanged; a removed source's
 * state is dropped, and so is the state of a source silent for `timeout` ms.
 *
 * ```
 * source:  F-F-F-S-F-|      F: a fan at -45 dBov (its floor), S: speech at -20
 * normaliseLevels()
 * output:  f-f-f-s-f-|      f: -127 + (-45 - -50) = -122, s: -127 + (-20 - -50) = -97 (floor capped at -50)
 * ```
 *
 * ## Example
 * ```ts
 * import { audioMixer, normaliseLevels } from 'rx-audio-mixer';
 *
 * room$.pipe(normaliseLevels({ gain: (source) => (source === 'quiet-mic' ? 6 : 0) }), audioMixer({ outputs: 3 }));
 * ```
 *
 * @param options `window`, `percentile`, `minFloor`, `maxFloor`, `gain`, `timeout`, `scheduler`, `onInvalid`; checked
 * at once, a bad value throws naming the option.
 * @return A function that returns an Observable of the same source events with normalised levels.
 *
 * @group Operators
 */
export function normaliseLevels<S = string, D = Uint8Array>(
  options: NormaliseLevelsOptions<S> = {},
): MonoTypeOperatorFunction<SourceEvent<S, D>> {
  checkOptionsObject(options);
  const config = normaliserConfig(options);
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new LevelNormaliser<S, D>(config, emit), scheduler);
}

/** The checked configuration of a {@link LevelNormaliser}. */
export function normaliserConfig<S>(options: NormaliseLevelsOptions<S>) {
  const window = checkNumber('window', options.window, NORMALISE_DEFAULTS.window, (v) => v > 0, 'a number of ms > 0');
  const percentile = checkNumber(
    'percentile',
    options.percentile,
    NORMALISE_DEFAULTS.percentile,
    (v) => v >= 0 && v <= 100,
    'a number in 0..100',
  );
  const inRange = (v: number) => v >= -127 && v <= 0;
  const minFloor = checkNumber('minFloor', options.minFloor, NORMALISE_DEFAULTS.minFloor, inRange, 'dBov in -127..0');
  const maxFloor = checkNumber(
    'maxFloor',
    options.maxFloor,
    NORMALISE_DEFAULTS.maxFloor,
    (v) => inRange(v) && v >= minFloor,
    `dBov in ${minFloor}..0 (at least minFloor)`,
  );
  if (options.gain !== undefined && typeof options.gain !== 'function') {
    throw new TypeError(`rx-audio-mixer: option 'gain' must be a function of the source, got ${show(options.gain)}`);
  }
  return {
    window,
    percentile,
    minFloor,
    maxFloor,
    gainOf: options.gain,
    timeout: checkTimeout(options.timeout),
    onInvalid: checkOnInvalid(options.onInvalid),
  };
}
