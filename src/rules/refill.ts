/**
 * Rule 4, refill: a freed output goes at once to the loudest candidate (the most recently touched among equals, rule
 * 8), rather than to whichever source happens to send next.
 *
 * @module
 */
import type { CandidateRanking } from '../data/candidateBuckets.js';
import type { Ranked } from '../data/ranked.js';
import type { SlotRanking } from '../data/slotCandidates.js';

/** Takes the loudest candidate out of `candidates` and hands it to `select`; false when there is none. */
export function refill<R extends Ranked>(candidates: CandidateRanking<R>, select: (record: R) => void): boolean {
  const loudest = candidates.loudest();
  if (loudest === undefined) return false;
  candidates.remove(loudest);
  select(loudest);
  return true;
}

/** {@link refill} for sources kept by slot: takes the loudest candidate out and hands its slot to `select`. */
export function refillSlot(candidates: SlotRanking, select: (slot: number) => void): boolean {
  const loudest = candidates.loudest();
  if (loudest < 0) return false;
  candidates.remove(loudest);
  select(loudest);
  return true;
}
