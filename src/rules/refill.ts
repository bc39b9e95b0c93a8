/**
 * Rule 4, refill: a freed output goes at once to the loudest candidate (the most recently touched among equals, rule
 * 8), rather than to whichever source happens to send next.
 *
 * @module
 */
import type { CandidateRanking } from '../data/candidateBuckets.js';

/** Takes the loudest candidate out of `candidates` and hands its slot to `select`; false when there is none. */
export function refill(candidates: CandidateRanking, select: (slot: number) => void): boolean {
  const loudest = candidates.loudest();
  if (loudest < 0) return false;
  candidates.remove(loudest);
  select(loudest);
  return true;
}
