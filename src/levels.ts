import type { InvalidHandler, LevelledPacket, SourcePacket } from './events.js';
import { show } from './show.js';

/** The loudest level, in dBov. */
export const LOUDEST = 0;
/** Silence, in dBov: also the level of a source that has not sent a level yet. */
export const SILENCE = -127;

/**
 * Returns `packet` itself when its level is a number in -127..0, or a copy with the level repaired: a missing level
 * becomes -127 silently; NaN, infinities and non-numbers become -127 and are reported; levels out of range are
 * clamped and reported.
 */
export function levelledPacket<S, D>(
  packet: SourcePacket<S, D>,
  onInvalid: InvalidHandler | undefined,
): LevelledPacket<S, D> {
  const level: unknown = packet.level;
  // The hot path: a valid level needs no copy. NaN fails both comparisons.
  if (typeof level === 'number' && level <= LOUDEST && level >= SILENCE) return packet as LevelledPacket<S, D>;
  let repaired: number = SILENCE;
  if (level !== undefined) {
    if (typeof level !== 'number' || !Number.isFinite(level)) {
      onInvalid?.({
        reason: 'invalid-level',
        event: packet,
        message: `level ${show(level)} of source ${show(packet.source)} is not a finite number; taken as -127`,
      });
    } else {
      repaired = level > LOUDEST ? LOUDEST : SILENCE;
      onInvalid?.({
        reason: 'level-out-of-range',
        event: packet,
        message: `level ${level} of source ${show(packet.source)} is outside -127..0 dBov; clamped to ${repaired}`,
      });
    }
  }
  return { ...packet, level: repaired };
}
