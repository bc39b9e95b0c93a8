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

/**
 * The level in dBov that an RFC 6464 byte carries (the V bit, then the level in -dBov): minus its low 7 bits, and 0,
 * never -0, for the loudest.
 */
export function levelOfByte(byte: number): number {
  const level = byte & 0x7f;
  return level === 0 ? 0 : -level;
}
