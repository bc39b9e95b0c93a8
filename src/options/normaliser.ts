import type { InvalidHandler } from '../events/events.js';
import { show } from '../events/show.js';
import { checkNumber, checkOnInvalid, checkTimeout } from './checks.js';

/**
 * The defaults of `normaliseLevels`.
 *
 * @group Operators
 */
export const NORMALISE_DEFAULTS = {
  window: 10_000,
  percentile: 10,
  minFloor: -80,
  maxFloor: -50,
  steadyWithin: 3,
  steadyFor: 400,
  onsetBoost: 0,
  onsetAfter: 200,
  onsetFor: 300,
} as const;

/** What {@link normaliserConfig} reads: the options of `normaliseLevels` but `scheduler` (and `floors` of `dominantSpeaker`). */
export type NormaliserOptions<S> = {
  readonly [
    K in
      | 'window'
      | 'percentile'
      | 'minFloor'
      | 'maxFloor'
      | 'steadyWithin'
      | 'steadyFor'
      | 'onsetBoost'
      | 'onsetAfter'
      | 'onsetFor'
      | 'timeout'
  ]?: number | undefined;
} & {
  readonly gain?: ((source: S) => number) | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
};

/** The checked configuration of a `LevelNormaliser`, from the options of `normaliseLevels`. */
export function normaliserConfig<S>(options: NormaliserOptions<S>) {
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
  const steadyWithin = checkNumber(
    'steadyWithin',
    options.steadyWithin,
    NORMALISE_DEFAULTS.steadyWithin,
    (v) => v >= 0 && v <= 20,
    'dB in 0..20',
  );
  const steadyFor = checkNumber(
    'steadyFor',
    options.steadyFor,
    NORMALISE_DEFAULTS.steadyFor,
    (v) => v > 0,
    'a number of ms > 0',
  );
  const onsetBoost = checkNumber(
    'onsetBoost',
    options.onsetBoost,
    NORMALISE_DEFAULTS.onsetBoost,
    (v) => v >= 0 && v <= 127,
    'dB in 0..127',
  );
  const onsetAfter = checkNumber(
    'onsetAfter',
    options.onsetAfter,
    NORMALISE_DEFAULTS.onsetAfter,
    (v) => v >= 0,
    'a number of ms >= 0',
  );
  const onsetFor = checkNumber(
    'onsetFor',
    options.onsetFor,
    NORMALISE_DEFAULTS.onsetFor,
    (v) => v > 0,
    'a number of ms > 0',
  );
  if (options.gain !== undefined && typeof options.gain !== 'function') {
    throw new TypeError(`rx-audio-mixer: option 'gain' must be a function of the source, got ${show(options.gain)}`);
  }
  return {
    window,
    percentile,
    minFloor,
    maxFloor,
    steady: { steadyWithin, steadyFor, forgetAfter: window / 2, returnWithin: window },
    onset: onsetBoost === 0 ? null : { onsetBoost, onsetAfter, onsetFor },
    gainOf: options.gain,
    timeout: checkTimeout(options.timeout),
    onInvalid: checkOnInvalid(options.onInvalid),
  };
}
