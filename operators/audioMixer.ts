import { asyncScheduler, type OperatorFunction } from 'rxjs';
import { AudioMixerCore } from '../src/stages/audioMixerCore.js';
import type { OutputEvent, SourceEvent } from '../src/events/events.js';
import { checkMixerOptions, checkScheduler } from '../src/options/checks.js';
import { fromStage } from './internal/fromStage.js';
import type { AudioMixerOptions } from './options.js';

/**
 * Mixes a room virtually: keeps `outputs` output tracks, each pinned to one of the loudest sources, and forwards
 * the pinned sources' packets untouched.
 *
 * The whole pipeline in one operator; it emits exactly what
 * `timeoutSources(o), trackLevels(o), selectLoudest(o), pinOutputs(o)` emits.
 *
 * - A new source takes the lowest-numbered free output; with none free it waits as a candidate at -127 dBov.
 * - A packet sets its source's level. A pinned source's packet is emitted as `output-pkt`. A candidate whose level
 *   is at least the quietest pinned level + `threshold` takes that output over: `output-unpin`, `output-pin`,
 *   `output-pkt`.
 * - A removed source (or one silent for `timeout` ms) frees its output, which the loudest candidate takes at once.
 * - On complete or error, every pinned output is unpinned in ascending order first.
 *
 * ```
 * source:  a-b-B-------A------------|   a, b: added; B: b at -10 dBov; A: a at -50
 * audioMixer({ outputs: 1, threshold: 30, timeout: 10 })
 * output:  P---(UQK)-----(VR)----W--|   P: pin 0 a; U: unpin 0 a, Q: pin 0 b, K: pkt 0 b (-10 beats -127 by 30);
 *                                       A is dropped (-50 does not beat -10 by 30); V: b times out, unpin 0 b,
 *                                       R: pin 0 a (the loudest candidate); W: a times out, unpin 0 a
 * ```
 *
 * ## Example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { audioMixer, type SourceEvent } from 'rx-audio-mixer';
 *
 * const room = new Subject<SourceEvent>();
 * room.pipe(audioMixer({ outputs: 3 })).subscribe((event) => {
 *   if (event.type === 'output-pkt') sendToListener(event.output, event.data);
 * });
 * room.next({ type: 'source-pkt', source: 'alice', level: -25, data: opusFrame });
 * ```
 *
 * @param options `outputs` (required), `threshold` (dB, default 30), `timeout` (ms, default 1000), `minHold` (ms,
 * default 0: how long a pinned source cannot be displaced by the threshold rule), `scheduler` (default
 * `asyncScheduler`), `onInvalid` (reports of dropped or repaired inputs). Checked at once: a bad value
 * throws a `TypeError` or `RangeError` naming the option.
 * @return A function that returns an Observable of output events.
 *
 * @group Operators
 */
export function audioMixer<S = string, D = Uint8Array>(
  options: AudioMixerOptions,
): OperatorFunction<SourceEvent<S, D>, OutputEvent<S, D>> {
  const config = checkMixerOptions(options);
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new AudioMixerCore<S, D>(config, emit), scheduler);
}
