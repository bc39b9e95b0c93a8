import type { OperatorFunction } from 'rxjs';
import type { OutputEvent, SourceEvent } from '../src/events/events.js';
import { checkOptionsObject } from '../src/options/checks.js';
import { audioMixer } from './audioMixer.js';
import type { AudioMixerOptions } from './options.js';
import { normaliseLevels, type NormaliseLevelsOptions } from './normaliseLevels.js';

/**
 * Options of {@link speechMixer}: `audioMixer`'s (with other defaults) and `normaliseLevels`'.
 *
 * @group Operators
 */
export type SpeechMixerOptions<S = string> = AudioMixerOptions &
  Omit<NormaliseLevelsOptions<S>, 'timeout' | 'scheduler' | 'onInvalid'>;

/**
 * The defaults {@link speechMixer} gives `audioMixer`, chosen from the measurements in docs/quality.md.
 *
 * @group Operators
 */
export const SPEECH_DEFAULTS = { threshold: 15, minHold: 200, onsetBoost: 25 } as const;

/**
 * The recommended mixer for rooms of people speaking: {@link normaliseLevels} with onset priority (25 dB) then
 * {@link audioMixer} with a lower threshold (15 dB) and a minimum hold (200 ms). Normalisation makes a speaker's
 * pauses between words and the other senders' background rank alike, so that a silent sender cannot take the output
 * in a pause; onset priority lets a new turn take an output at once rather than at the current speaker's next pause;
 * the hold keeps a speaker who just took an output through their first syllables. Every default can be overridden;
 * `audioMixer` keeps the original defaults (30 dB, no hold, raw levels).
 *
 * ```
 * source:  A-a-A-x-A-|      A: alice speaking (-25), a: alice between words (-70), x: bob's background (-60)
 * speechMixer({ outputs: 1 })
 * output:  (PK)K-K---K-|    x never takes the output: at bob's floor it ranks as silence
 * ```
 *
 * ## Example
 * ```ts
 * import { speechMixer } from 'rx-audio-mixer';
 *
 * room$.pipe(speechMixer({ outputs: 2 })).subscribe((event) => forward(event));
 * ```
 *
 * @param options `audioMixer`'s (`outputs` required; `threshold` default 15, `minHold` default 200) and
 * `normaliseLevels`' (`window`, `percentile`, `minFloor`, `maxFloor`, `steadyWithin`, `steadyFor`, `onsetBoost` default 25, `onsetAfter`,
 * `onsetFor`, `gain`); `timeout`, `scheduler` and
 * `onInvalid` serve both.
 * @return A function that returns an Observable of output events; their levels are the normalised ones.
 *
 * @group Operators
 */
export function speechMixer<S = string, D = Uint8Array>(
  options: SpeechMixerOptions<S>,
): OperatorFunction<SourceEvent<S, D>, OutputEvent<S, D>> {
  checkOptionsObject(options);
  const normalise = normaliseLevels<S, D>({
    window: options.window,
    percentile: options.percentile,
    minFloor: options.minFloor,
    maxFloor: options.maxFloor,
    steadyWithin: options.steadyWithin,
    steadyFor: options.steadyFor,
    onsetBoost: options.onsetBoost ?? SPEECH_DEFAULTS.onsetBoost,
    onsetAfter: options.onsetAfter,
    onsetFor: options.onsetFor,
    gain: options.gain,
    timeout: options.timeout,
    scheduler: options.scheduler,
    onInvalid: options.onInvalid,
  });
  const mix = audioMixer<S, D>({
    outputs: options.outputs,
    threshold: options.threshold ?? SPEECH_DEFAULTS.threshold,
    minHold: options.minHold ?? SPEECH_DEFAULTS.minHold,
    timeout: options.timeout,
    scheduler: options.scheduler,
    onInvalid: options.onInvalid,
  });
  return (source) => source.pipe(normalise, mix);
}
