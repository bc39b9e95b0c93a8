import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { LevelNormaliser } from '../src/stages/levelNormaliser.js';
import { checkOptionsObject, checkScheduler } from '../src/options/checks.js';
import { normaliserConfig } from '../src/options/normaliser.js';
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
  /**
   * Steady floor: how far a source's levels may spread (highest - lowest, in dB) and still be steady; a level that
   * stays within it for `steadyFor` ms is a floor at once, whatever its height. 0..20, default 3 (Chromium's dither
   * spreads over -103..-106).
   */
  readonly steadyWithin?: number | undefined;
  /**
   * Steady floor: how long a source's levels must stay within `steadyWithin` dB to be a floor, in ms: > 0, default
   * 400 (longer than a held syllable, as long as Opus DTX's gap between two packets).
   */
  readonly steadyFor?: number | undefined;
  /**
   * Onset priority: how many dB higher the first packets of a source rank when it starts to sound (10 dB above its
   * floor) after a pause of `onsetAfter` ms; >= 0, default 0 (off). `speechMixer` sets 25.
   */
  readonly onsetBoost?: number | undefined;
  /** The pause before an onset, in ms: >= 0, default 200 (longer than the gaps between words). */
  readonly onsetAfter?: number | undefined;
  /** How long an onset's boost lasts while the source keeps sounding, in ms: > 0, default 300. */
  readonly onsetFor?: number | undefined;
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
 * **Steady floor** (`steadyWithin`, `steadyFor`): a level that has stayed within `steadyWithin` dB (3) for `steadyFor`
 * ms (400) is a floor at once, whatever its height (above `maxFloor` too): a sender's digital silence (GStreamer's
 * -59), a hum or a fan ranks as silence from 400 ms on, instead of after the percentile has moved; speech is what
 * rises above it and modulates. The steady level follows a steady sound up at once and down once a lower one has been
 * steady for half a `window`, and is forgotten half a `window` after the source was last steady near it. A return to
 * the level the source rested at (steady for half a `window`: its silence after a turn) is its floor at once.
 *
 * **Onset priority** (`onsetBoost`, off by default): a packet *sounds* when it is 10 dB or more above its source's
 * floor; the first packet that sounds after `onsetAfter` ms of packets that did not is an onset, and the source's
 * packets rank `onsetBoost` dB higher from it for `onsetFor` ms, while it keeps sounding. A new turn then takes an
 * output at once (with the mixer's threshold at or below the boost) instead of waiting for the current speaker's
 * next pause. A source's first packets are never an onset, steady noise never sounds above its own floor, and a step
 * back to the level a source was last steady at (its silence after a turn) is no onset.
 *
 * ```
 * source:  q-q-q-S-S-S-S-|  q: -70 (the floor, with minFloor = maxFloor = -70), S: -30; onsetAfter 3, onsetFor 4
 * normaliseLevels({ minFloor: -70, maxFloor: -70, onsetBoost: 20, onsetAfter: 3, onsetFor: 4 })
 * output:  s-s-s-B-B-n-n-|  s: -127, B: -127 + 40 + 20 = -67 (the onset at 6, until 10), n: -87
 * ```
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
 * @param options `window`, `percentile`, `minFloor`, `maxFloor`, `steadyWithin`, `steadyFor`, `onsetBoost`, `onsetAfter`, `onsetFor`, `gain`,
 * `timeout`, `scheduler`, `onInvalid`; checked
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
