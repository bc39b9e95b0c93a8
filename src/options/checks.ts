import type { InvalidHandler } from '../events/events.js';
import { show } from '../events/show.js';

/**
 * Default takeover threshold, in dB.
 *
 * @group Operators
 */
export const DEFAULT_THRESHOLD = 30;
/**
 * Default silence timeout, in ms.
 *
 * @group Operators
 */
export const DEFAULT_TIMEOUT = 1000;
/**
 * The most outputs a mixer may have (`outputs` of every operator and state machine that takes it): 1024, far more
 * than a listener can hear apart. Memory grows with the outputs in use, not with this bound.
 *
 * @group Operators
 */
export const MAX_OUTPUTS = 1024;

function fail(kind: 'type' | 'range', name: string, rule: string, value: unknown): never {
  const message = `rx-audio-mixer: option '${name}' must be ${rule}, got ${show(value)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
}

/** Checks that `options` is an object, so that reading its fields cannot throw. */
export function checkOptionsObject(options: unknown): void {
  if (typeof options !== 'object' || options === null) fail('type', 'options', 'an object', options);
}

/** `outputs`: a required integer, 1 .. {@link MAX_OUTPUTS}. */
export function checkOutputs(value: unknown): number {
  if (typeof value !== 'number') fail('type', 'outputs', 'an integer >= 1', value);
  if (!Number.isInteger(value) || value < 1) fail('range', 'outputs', 'an integer >= 1', value);
  if (value > MAX_OUTPUTS) fail('range', 'outputs', `an integer <= ${MAX_OUTPUTS}`, value);
  return value;
}

/** `threshold`: dB >= 0, default {@link DEFAULT_THRESHOLD}. */
export function checkThreshold(value: unknown): number {
  if (value === undefined) return DEFAULT_THRESHOLD;
  if (typeof value !== 'number') fail('type', 'threshold', 'a number of dB >= 0', value);
  if (!Number.isFinite(value) || value < 0) fail('range', 'threshold', 'a finite number of dB >= 0', value);
  return value;
}

/** `timeout`: ms > 0, default {@link DEFAULT_TIMEOUT}. */
export function checkTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT;
  if (typeof value !== 'number') fail('type', 'timeout', 'a number of ms > 0', value);
  if (!Number.isFinite(value) || value <= 0) fail('range', 'timeout', 'a finite number of ms > 0', value);
  return value;
}

/** A finite number option, `fallback` when missing, that `valid` accepts (`rule` says what it must be). */
export function checkNumber(
  name: string,
  value: unknown,
  fallback: number,
  valid: (value: number) => boolean,
  rule: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') fail('type', name, rule, value);
  if (!Number.isFinite(value) || !valid(value)) fail('range', name, rule, value);
  return value;
}

/** `minHold`: ms >= 0, default 0 (no hold). */
export function checkMinHold(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') fail('type', 'minHold', 'a number of ms >= 0', value);
  if (!Number.isFinite(value) || value < 0) fail('range', 'minHold', 'a finite number of ms >= 0', value);
  return value;
}

/** `onInvalid`: an optional function. */
export function checkOnInvalid(value: unknown): InvalidHandler | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail('type', 'onInvalid', 'a function', value);
  return value as InvalidHandler;
}

/** `scheduler`: an optional object with `now()` and `schedule()`, checked without depending on RxJS. */
export function checkScheduler<T>(value: T | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  const candidate = value as { now?: unknown; schedule?: unknown } | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.now !== 'function' ||
    typeof candidate.schedule !== 'function'
  ) {
    fail('type', 'scheduler', 'a SchedulerLike (an object with now() and schedule())', value);
  }
  return value;
}

/** An RFC 8285 extension id: 1..14 for the one-byte form, up to 255 for the two-byte form. */
export function checkExtensionId(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 255) {
    fail('range', name, 'an integer 1..255', value);
  }
  return value;
}

/** The mixer's options (`audioMixer`, `mixRoom`), checked: an object, then each option by name. */
export function checkMixerOptions(options: unknown): {
  outputs: number;
  threshold: number;
  minHold: number;
  timeout: number;
  onInvalid: InvalidHandler | undefined;
} {
  checkOptionsObject(options);
  const o = options as Record<string, unknown>;
  return {
    outputs: checkOutputs(o.outputs),
    threshold: checkThreshold(o.threshold),
    minHold: checkMinHold(o.minHold),
    timeout: checkTimeout(o.timeout),
    onInvalid: checkOnInvalid(o.onInvalid),
  };
}
