/**
 * Rule 2's threshold and rule 9's hold: when a candidate's packet takes a selected source's output.
 *
 * @module
 */
import type { QuietestHeap } from '../data/quietestHeap.js';
import type { Ranked } from '../data/ranked.js';
import { quieter } from './ties.js';

/** The threshold and the hold, already checked. */
export interface TakeoverRule {
  /** How much louder than the quietest selected source a candidate must be, in dB. */
  readonly threshold: number;
  /** How long a source stays selected before the threshold may displace it, in ms: 0, never held. */
  readonly minHold: number;
}

/**
 * The selected source that a candidate's packet at `level` displaces at `now`, or `undefined`: the quietest selected
 * source not held (selected `minHold` ms ago or more; ties by rule 8), when `level` is at least its level plus the
 * threshold. O(1) without a hold; O(selected) while the quietest is held.
 */
export function displaced<R extends Ranked>(
  selected: QuietestHeap<R>,
  level: number,
  rule: TakeoverRule,
  now: number,
): R | undefined {
  let quietest = selected.peek();
  if (quietest === undefined) return undefined;
  if (rule.minHold > 0 && now - quietest.pinnedAt < rule.minHold) quietest = quietestHeldOut(selected, rule, now);
  return quietest !== undefined && level >= quietest.level + rule.threshold ? quietest : undefined;
}

/**
 * The lowest level at which a candidate's packet may displace a selected source: `-Infinity` while fewer than
 * `outputs` are selected. With a hold this is a lower bound (the quietest may be held).
 */
export function takeoverLevel<R extends Ranked>(
  selected: QuietestHeap<R>,
  outputs: number,
  rule: TakeoverRule,
): number {
  const quietest = selected.peek();
  return selected.size < outputs || quietest === undefined ? -Infinity : quietest.level + rule.threshold;
}

/** The quietest selected source that has been selected for `minHold` ms, if any: O(selected). */
function quietestHeldOut<R extends Ranked>(selected: QuietestHeap<R>, rule: TakeoverRule, now: number): R | undefined {
  let best: R | undefined;
  for (const entry of selected.entries()) {
    if (now - entry.pinnedAt < rule.minHold) continue;
    if (best === undefined || quieter(entry, best)) best = entry;
  }
  return best;
}
