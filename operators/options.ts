import type { SchedulerLike } from 'rxjs';
import type { InvalidHandler } from '../src/events/events.js';

/**
 * Options of {@link audioMixer}; each stage operator takes the part it needs, so one object serves them all.
 *
 * @group Operators
 */
export interface AudioMixerOptions {
  /**
   * How many output tracks there are, numbered `0 .. outputs-1`: an integer 1 .. {@link MAX_OUTPUTS} (1024). Memory
   * grows with the outputs in use, not with this number.
   */
  readonly outputs: number;
  /** How many dB a candidate must beat the quietest pinned output by to take it over: >= 0, default 30. */
  readonly threshold?: number | undefined;
  /**
   * How long a pinned source cannot be displaced by the threshold rule, in ms: >= 0, default 0 (no hold). Removal,
   * timeout and the end still apply; it is checked when a packet arrives, with no timer of its own.
   */
  readonly minHold?: number | undefined;
  /** Silence after which a source is removed, in ms: > 0, default 1000. */
  readonly timeout?: number | undefined;
  /** Where time comes from; default `asyncScheduler`. Pass a `TestScheduler` to test in virtual time. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Receives a report for every input that was dropped or repaired. */
  readonly onInvalid?: InvalidHandler | undefined;
}

// Each stage takes the whole options object, so that one `o` serves `timeoutSources(o), trackLevels(o), ...`;
// it reads only the fields named.

/**
 * Options of {@link timeoutSources}: it reads `timeout`, `scheduler` and `onInvalid`.
 *
 * @group Operators
 */
export type TimeoutSourcesOptions = Partial<AudioMixerOptions>;
/**
 * Options of {@link trackLevels}: it reads `onInvalid`.
 *
 * @group Operators
 */
export type TrackLevelsOptions = Partial<AudioMixerOptions>;
/**
 * Options of {@link selectLoudest}: it reads `outputs`, `threshold`, `minHold` (with `scheduler`) and `onInvalid`.
 *
 * @group Operators
 */
export type SelectLoudestOptions = Partial<AudioMixerOptions> & Pick<AudioMixerOptions, 'outputs'>;
/**
 * Options of {@link pinOutputs}: it reads `outputs` and `onInvalid`.
 *
 * @group Operators
 */
export type PinOutputsOptions = Partial<AudioMixerOptions> & Pick<AudioMixerOptions, 'outputs'>;
