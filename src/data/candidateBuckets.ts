import { SILENCE } from '../events/levels.js';
import { F64_PER_SLOT, I32_PER_SLOT, LEVEL, NEXT, PREV, STAMP, type SourceSlots } from './sourceSlots.js';

const BUCKETS = -SILENCE + 1;
const NONE = -1;

/**
 * How a slot selection ranks its candidates: {@link CandidateBuckets}, or a room's delta view that adds the shared
 * view's candidates to its own.
 */
export interface CandidateRanking {
  /** Adds `slot`, whose stamp is the newest given. */
  add(slot: number): void;
  /** Takes `slot` out; its level must be the one it was added with. */
  remove(slot: number): void;
  /** The loudest candidate, the most recently touched among equals (rule 8); -1 when there is none. */
  loudest(): number;
  clear(): void;
}

/**
 * The candidates in 128 buckets of 1 dB (bucket = floor(level) + 127), each a
 * list in stamp order, linked through the slots' records ({@link SourceSlots}). Adding and removing a candidate is
 * O(1) whatever the number of candidates; finding the loudest looks at most 128 buckets, and only scans a bucket
 * when it holds fractional levels (which RFC 6464 levels never are). A candidate's level must not change while it
 * is ranked: take it out first.
 */
export class CandidateBuckets implements CandidateRanking {
  /** Per bucket, its last (most recent) slot, or NONE. */
  private readonly tails = new Int32Array(BUCKETS).fill(NONE);
  /** Per bucket, how many members have a level that is not the bucket's whole number. */
  private readonly fractional = new Int32Array(BUCKETS);
  private count = 0;

  constructor(private readonly slots: SourceSlots) {}

  /** Adds `slot` at the tail of its bucket: its stamp must be the newest. */
  add(slot: number): void {
    const { f64, i32 } = this.slots;
    const level = f64[F64_PER_SLOT * slot + LEVEL]!;
    const bucket = Math.floor(level) - SILENCE;
    const tail = this.tails[bucket]!;
    const at = I32_PER_SLOT * slot;
    i32[at + PREV] = tail;
    i32[at + NEXT] = NONE;
    if (tail !== NONE) i32[I32_PER_SLOT * tail + NEXT] = slot;
    this.tails[bucket] = slot;
    if (!Number.isInteger(level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  /** Adds `slot` in its place by stamp, whatever its stamp: O(members of its bucket with a later stamp). */
  insert(slot: number): void {
    const { f64, i32 } = this.slots;
    const level = f64[F64_PER_SLOT * slot + LEVEL]!;
    const stamp = f64[F64_PER_SLOT * slot + STAMP]!;
    const bucket = Math.floor(level) - SILENCE;
    let after = this.tails[bucket]!;
    if (after === NONE || f64[F64_PER_SLOT * after + STAMP]! < stamp) {
      this.add(slot);
      return;
    }
    let before = after;
    for (
      after = i32[I32_PER_SLOT * after + PREV]!;
      after !== NONE && f64[F64_PER_SLOT * after + STAMP]! > stamp;
      after = i32[I32_PER_SLOT * after + PREV]!
    ) {
      before = after;
    }
    const at = I32_PER_SLOT * slot;
    i32[at + PREV] = after;
    i32[at + NEXT] = before;
    i32[I32_PER_SLOT * before + PREV] = slot;
    if (after !== NONE) i32[I32_PER_SLOT * after + NEXT] = slot;
    if (!Number.isInteger(level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  /** Takes `slot` out; its level must be the one it was added with. */
  remove(slot: number): void {
    const { f64, i32 } = this.slots;
    const level = f64[F64_PER_SLOT * slot + LEVEL]!;
    const bucket = Math.floor(level) - SILENCE;
    const at = I32_PER_SLOT * slot;
    const prev = i32[at + PREV]!;
    const next = i32[at + NEXT]!;
    if (prev !== NONE) i32[I32_PER_SLOT * prev + NEXT] = next;
    if (next === NONE) this.tails[bucket] = prev;
    else i32[I32_PER_SLOT * next + PREV] = prev;
    if (!Number.isInteger(level)) this.fractional[bucket]! -= 1;
    this.count -= 1;
  }

  /** The loudest candidate, the most recently touched among equals (rule 8); -1 when there is none. */
  loudest(): number {
    if (this.count === 0) return NONE;
    const { f64, i32 } = this.slots;
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      const tail = this.tails[bucket]!;
      if (tail === NONE) continue;
      if (this.fractional[bucket] === 0) return tail;
      let best = tail;
      for (let slot = i32[I32_PER_SLOT * tail + PREV]!; slot !== NONE; slot = i32[I32_PER_SLOT * slot + PREV]!) {
        if (f64[F64_PER_SLOT * slot + LEVEL]! > f64[F64_PER_SLOT * best + LEVEL]!) best = slot;
      }
      return best;
    }
    return NONE;
  }

  /**
   * The loudest candidate that `accept` takes, the most recently touched among equals; -1 when there is none. It
   * asks `accept` from the loudest down, so it is quick when the loudest are taken (a room's delta view ranks the
   * shared view's candidates it hears this way).
   */
  loudestWhere(accept: (slot: number) => boolean): number {
    if (this.count === 0) return NONE;
    const { f64, i32 } = this.slots;
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      let best = NONE;
      for (let slot = this.tails[bucket]!; slot !== NONE; slot = i32[I32_PER_SLOT * slot + PREV]!) {
        if (!accept(slot)) continue;
        if (this.fractional[bucket] === 0) return slot;
        if (best === NONE || f64[F64_PER_SLOT * slot + LEVEL]! > f64[F64_PER_SLOT * best + LEVEL]!) best = slot;
      }
      if (best !== NONE) return best;
    }
    return NONE;
  }

  clear(): void {
    this.tails.fill(NONE);
    this.fractional.fill(0);
    this.count = 0;
  }
}
