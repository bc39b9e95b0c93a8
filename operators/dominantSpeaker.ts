import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { DominantSpeakerDetector, type DominantSpeakerEvent } from '../src/stages/dominantSpeakerDetector.js';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { checkNumber, checkOnInvalid, checkOptionsObject, checkScheduler } from '../src/options/checks.js';
import { fromStage } from './internal/fromStage.js';
import { normaliserConfig } from '../src/options/normaliser.js';
import type { NormaliseLevelsOptions } from './normaliseLevels.js';

/**
 * Options of {@link dominantSpeaker}.
 *
 * @group Operators
 */
export interface DominantSpeakerOptions<S = string> {
  /** dB above its source's noise floor from which a packet is speech: > 0, default 15. */
  readonly activityDb?: number | undefined;
  /** Time constant of the immediate activity score, ms: > 0, default 100. */
  readonly immediateMs?: number | undefined;
  /** Time constant of the medium activity score, ms: > 0, default 800. */
  readonly mediumMs?: number | undefined;
  /** How much a challenger's immediate score must exceed the dominant speaker's: 0..1, default 0.3. */
  readonly immediateMargin?: number | undefined;
  /** How much a challenger's medium score must exceed the dominant speaker's: 0..1, default 0.1. */
  readonly mediumMargin?: number | undefined;
  /** The dominant speaker counts as silent while its immediate score is below this: 0..1, default 0.5. */
  readonly quietBelow?: number | undefined;
  /** Over a silent dominant speaker, a challenger whose immediate score reaches this takes over: 0..1, default 0.3. */
  readonly takeAt?: number | undefined;
  /** How noise floors are learnt ({@link normaliseLevels}' options); `timeout` also forgets silent sources. */
  readonly floors?: Omit<NormaliseLevelsOptions<S>, 'scheduler' | 'onInvalid'> | undefined;
  /** Where time comes from; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Emits `{ type: 'dominant-speaker', source }` whenever the room's dominant speaker changes: the "active speaker"
 * a UI highlights, robust to short pauses, coughs and noisy senders ({@link DominantSpeakerDetector} has the
 * method: speech activity above each source's own noise floor, scored on two time scales, after Volfin and Cohen).
 *
 * ```
 * source:  A-A-A-A-b-A-B-B-B-B-B-|    A, B: alice, bob speaking; b: bob coughs
 * dominantSpeaker()
 * output:  --a-----------------b-|    a: alice is dominant; the cough changes nothing; b: bob, once he holds the floor
 * ```
 *
 * ## Example
 * ```ts
 * import { dominantSpeaker } from 'rx-audio-mixer';
 *
 * room$.pipe(dominantSpeaker()).subscribe(({ source }) => ui.highlight(source));
 * ```
 *
 * @param options `activityDb`, `immediateMs`, `mediumMs`, `immediateMargin`, `mediumMargin`, `floors`,
 * `scheduler`, `onInvalid`; checked at once.
 * @return A function that returns an Observable of dominant speaker changes.
 *
 * @group Operators
 */
export function dominantSpeaker<S = string, D = Uint8Array>(
  options: DominantSpeakerOptions<S> = {},
): OperatorFunction<SourceEvent<S, D>, DominantSpeakerEvent<S>> {
  checkOptionsObject(options);
  const positive = (v: number) => v > 0;
  const share = (v: number) => v >= 0 && v <= 1;
  const onInvalid = checkOnInvalid(options.onInvalid);
  const config = {
    activityDb: checkNumber('activityDb', options.activityDb, 15, positive, 'a number of dB > 0'),
    immediateMs: checkNumber('immediateMs', options.immediateMs, 100, positive, 'a number of ms > 0'),
    mediumMs: checkNumber('mediumMs', options.mediumMs, 800, positive, 'a number of ms > 0'),
    immediateMargin: checkNumber('immediateMargin', options.immediateMargin, 0.3, share, 'a number in 0..1'),
    mediumMargin: checkNumber('mediumMargin', options.mediumMargin, 0.1, share, 'a number in 0..1'),
    quietBelow: checkNumber('quietBelow', options.quietBelow, 0.5, share, 'a number in 0..1'),
    takeAt: checkNumber('takeAt', options.takeAt, 0.3, share, 'a number in 0..1'),
    floors: normaliserConfig<S>({ ...(options.floors ?? {}), onInvalid }),
    onInvalid,
  };
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new DominantSpeakerDetector<S, D>(config, emit), scheduler);
}
