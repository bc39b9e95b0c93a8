/**
 * The dBov scale of RFC 6464 audio levels, which every event's `level` is on: 0 the loudest, -127 silence.
 *
 * @module
 */

/**
 * The loudest level, in dBov.
 *
 * @group Events
 */
export const LOUDEST = 0;
/**
 * Silence, in dBov: also the level of a source that has not sent a level yet.
 *
 * @group Events
 */
export const SILENCE = -127;
