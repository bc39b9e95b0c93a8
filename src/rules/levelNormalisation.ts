import type { InvalidHandler, LevelledPacket, SourcePacket } from '../events/events.js';
import { show } from '../events/show.js';
import { report } from '../events/reports.js';
import { LOUDEST, SILENCE } from '../events/levels.js';

/** Whether `level` is a number in -127..0 (NaN fails both comparisons). */
function isValidLevel(level: unknown): level is number {
  return typeof level === 'number' && level <= LOUDEST && level >= SILENCE;
}

/**
 * Returns `packet` itself when its level is a number in -127..0, or a copy with the level repaired as
 * {@link normalisedLevel} says.
 */
export function levelledPacket<S, D>(
  packet: SourcePacket<S, D>,
  onInvalid: InvalidHandler | undefined,
): LevelledPacket<S, D> {
  // The hot path: a valid level needs no copy.
  if (isValidLevel(packet.level)) return packet as LevelledPacket<S, D>;
  return { ...packet, level: normalisedLevel(packet, onInvalid) };
}

/**
 * The level of `packet`, repaired if need be, without copying anything: a missing level becomes -127 silently;
 * NaN, infinities and non-numbers become -127 and are reported; levels out of range are clamped and reported.
 */
export function normalisedLevel(packet: SourcePacket<unknown, unknown>, onInvalid: InvalidHandler | undefined): number {
  const level: unknown = packet.level;
  if (isValidLevel(level)) return level;
  let repaired: number = SILENCE;
  if (level !== undefined) {
    if (typeof level !== 'number' || !Number.isFinite(level)) {
      report(
        onInvalid,
        'invalid-level',
        packet,
        `level ${show(level)} of source ${show(packet.source)} is not a finite number; taken as -127`,
      );
    } else {
      repaired = level > LOUDEST ? LOUDEST : SILENCE;
      report(
        onInvalid,
        'level-out-of-range',
        packet,
        `level ${level} of source ${show(packet.source)} is outside -127..0 dBov; clamped to ${repaired}`,
      );
    }
  }
  return repaired;
}
