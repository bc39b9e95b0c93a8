import { SILENCE } from '../rules/levelNormalisation.js';
import type { Ranked } from './ranked.js';

const BUCKETS = -SILENCE + 1;

/** How a selection ranks its candidates: {@link CandidateBuckets}, or a view that adds another's candidates to its own. */
export interface CandidateRanking<E extends Ranked> {
  /** Adds `entry`, whose stamp is the newest given. */
  add(entry: E): void;
  remove(entry: E): void;
  /** The loudest candidate, the most recently touched among equals; `undefined` when there is none. */
  loudest(): E | undefined;
  clear(): void;
}

/**
 * Candidates in 128 buckets of 1 dB (bucket = floor(level) + 127), each a list in stamp order. Adding, removing
 * and moving a candidate is O(1) whatever the number of candidates; finding the loudest looks at most 128 buckets,
 * and only scans a bucket when it holds fractional levels (which RFC 6464 levels never are).
 */
export class CandidateBuckets<E extends Ranked> implements CandidateRanking<E> {
  // Only tails are kept: the loudest is found from the tail, and unlinking needs no head.
  private readonly tails: (E | null)[] = new Array<E | null>(BUCKETS).fill(null);
  /** Per bucket, how many members have a level that is not the bucket's whole number. */
  private readonly fractional = new Int32Array(BUCKETS);
  private count = 0;

  /** Adds `entry` at the tail of its bucket: its stamp must be the newest. */
  add(entry: E): void {
    const bucket = Math.floor(entry.level) - SILENCE;
    entry.bucket = bucket;
    const tail = this.tails[bucket] ?? null;
    entry.prev = tail;
    entry.next = null;
    if (tail !== null) tail.next = entry;
    this.tails[bucket] = entry;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  /** Adds `entry` in its place by stamp, whatever its stamp: O(members of its bucket with a later stamp). */
  insert(entry: E): void {
    const bucket = Math.floor(entry.level) - SILENCE;
    let after = this.tails[bucket] ?? null;
    if (after === null || after.stamp < entry.stamp) {
      this.add(entry);
      return;
    }
    let before = after;
    for (after = after.prev; after !== null && after.stamp > entry.stamp; after = after.prev) before = after;
    entry.bucket = bucket;
    entry.prev = after;
    entry.next = before;
    before.prev = entry;
    if (after !== null) after.next = entry;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  remove(entry: E): void {
    const bucket = entry.bucket;
    if (entry.prev !== null) entry.prev.next = entry.next;
    if (entry.next === null) this.tails[bucket] = entry.prev;
    else entry.next.prev = entry.prev;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! -= 1;
    entry.prev = entry.next = null;
    entry.bucket = -1;
    this.count -= 1;
  }

  /** The loudest candidate, the most recently touched among equals; `undefined` when there is none. */
  loudest(): E | undefined {
    if (this.count === 0) return undefined;
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      const tail = this.tails[bucket];
      if (tail === null || tail === undefined) continue;
      if (this.fractional[bucket] === 0) return tail;
      let best = tail;
      for (let entry = tail.prev; entry !== null; entry = entry.prev) {
        if (entry.level > best.level) best = entry;
      }
      return best;
    }
    return undefined;
  }

  /**
   * The loudest candidate that `accept` takes, the most recently touched among equals; `undefined` when there is
   * none. O(buckets + candidates refused before it).
   */
  loudestWhere(accept: (entry: E) => boolean): E | undefined {
    if (this.count === 0) return undefined;
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      let best: E | undefined;
      for (let entry = this.tails[bucket] ?? null; entry !== null; entry = entry.prev) {
        if (!accept(entry)) continue;
        if (this.fractional[bucket] === 0) return entry;
        if (best === undefined || entry.level > best.level) best = entry;
      }
      if (best !== undefined) return best;
    }
    return undefined;
  }

  clear(): void {
    this.tails.fill(null);
    this.fractional.fill(0);
    this.count = 0;
  }
}
