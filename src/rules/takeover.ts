/**
 * Rule 2's threshold and rule 9's hold: when a candidate's packet takes a selected source's output.
 *
 * @module
 */
import { isQuieter, type QuietestHeap } from '../data/quietestHeap.js';
import { F64_PER_SLOT, LEVEL, STAMP, type SourceSlots } from '../data/sourceSlots.js';

/** The threshold and the hold, already checked. */
export interface TakeoverRule {
  /** How much louder than the quietest selected source a candidate must be, in dB. */
  readonly threshold: number;
  /** How long a source stays selected before the threshold may displace it, in ms: 0, never held. */
  readonly minHold: number;
}

/**
 * The selected source that a candidate's packet at `level` displaces at `now`, or -1: the quietest selected source
 * not held (selected `minHold` ms ago or more; ties by rule 8), when `level` is at least its level plus the
 * threshold. O(1) without a hold; O(selected) while the quietest is held.
 */
export function displaced(
  selected: QuietestHeap,
  slots: SourceSlots,
  level: number,
  rule: TakeoverRule,
  now: number,
): number {
  if (selected.size === 0) return -1;
  const f64 = slots.f64;
  let quietest = selected.peek();
  if (rule.minHold > 0 && held(rule, now, selected.selectedAt(0))) {
    quietest = -1;
    for (let index = 0; index < selected.size; index++) {
      if (held(rule, now, selected.selectedAt(index))) continue;
      const slot = F64_PER_SLOT * selected.at(index);
      const best = F64_PER_SLOT * quietest;
      if (quietest < 0 || isQuieter(f64[slot + LEVEL]!, f64[slot + STAMP]!, f64[best + LEVEL]!, f64[best + STAMP]!)) {
        quietest = selected.at(index);
      }
    }
  }
  return quietest >= 0 && beats(level, f64[F64_PER_SLOT * quietest + LEVEL]!, rule) ? quietest : -1;
}

/** Whether a source selected at `since` is still held at `now` (rule 9). */
function held(rule: TakeoverRule, now: number, since: number): boolean {
  return rule.minHold > 0 && now - since < rule.minHold;
}

/** Whether a packet at `level` beats a selected source at `quietest` by the threshold (rule 2). */
function beats(level: number, quietest: number, rule: TakeoverRule): boolean {
  return level >= quietest + rule.threshold;
}

/**
 * The lowest level at which a candidate's packet may displace a selected source: `-Infinity` while fewer than
 * `outputs` are selected. With a hold this is a lower bound (the quietest may be held).
 */
export function takeoverLevel(selected: QuietestHeap, slots: SourceSlots, outputs: number, rule: TakeoverRule): number {
  return selected.size < outputs ? -Infinity : slots.f64[F64_PER_SLOT * selected.peek() + LEVEL]! + rule.threshold;
}
