import type { SchedulerLike } from 'rxjs';
import type { InvalidHandler } from '../../src/events.js';

/** Options of {@link audioMixer}; each stage operator takes the part it needs, so one object serves them all. */
export interface AudioMixerOptions {
  /** How many output tracks there are, numbered `0 .. outputs-1`: an integer >= 1. */
  readonly outputs: number;
  /** How many dB a candidate must beat the quietest pinned output by to take it over: >= 0, default 30. */
  readonly threshold?: number | undefined;
  /** Silence after which a source is removed, in ms: > 0, default 1000. */
  readonly timeout?: number | undefined;
  /** Where time comes from; default `asyncScheduler`. Pass a `TestScheduler` to test in virtual time. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Receives a report for every input that was dropped or repaired. */
  readonly onInvalid?: InvalidHandler | undefined;
}

/** Options of {@link timeoutSources}. */
export type TimeoutSourcesOptions = Pick<AudioMixerOptions, 'timeout' | 'scheduler' | 'onInvalid'>;
/** Options of {@link trackLevels}. */
export type TrackLevelsOptions = Pick<AudioMixerOptions, 'onInvalid'>;
/** Options of {@link selectLoudest}. */
export type SelectLoudestOptions = Pick<AudioMixerOptions, 'outputs' | 'threshold' | 'onInvalid'>;
/** Options of {@link pinOutputs}. */
export type PinOutputsOptions = Pick<AudioMixerOptions, 'outputs' | 'onInvalid'>;
