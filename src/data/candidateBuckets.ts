import { SILENCE } from '../rules/levelNormalisation.js';
import type { Ranked } from './ranked.js';

const BUCKETS = -SILENCE + 1;

/**
 * The bucket of `entry`: floor(level) + 127. A candidate's level does not change while it is ranked (a packet takes
 * it out first), so its bucket need not be kept.
 */
function bucketOf(entry: Ranked): number {
  return Math.floor(entry.level) - SILENCE;
}
const NONE = -1;

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
 *
 * The lists are kept in typed arrays by slot, not in the records: a candidate holds a slot while it is one (the slot
 * a packet's remove frees is the one its add takes back), and its neighbours' links are cells of one small array,
 * not fields of two other records, which at a million sources are cache misses.
 */
export class CandidateBuckets<E extends Ranked> implements CandidateRanking<E> {
  /** Per bucket, the slot of its last (most recent) member, or NONE. */
  private readonly tails = new Int32Array(BUCKETS).fill(NONE);
  /** Per slot, its previous and next slot in its bucket (pairs). */
  private links = new Int32Array(64).fill(NONE);
  /** Per slot, its member. */
  private members: (E | undefined)[] = [];
  private free = new Int32Array(32);
  private freeCount = 0;
  private slots = 0;
  /** Per bucket, how many members have a level that is not the bucket's whole number. */
  private readonly fractional = new Int32Array(BUCKETS);
  private count = 0;

  /** Adds `entry` at the tail of its bucket: its stamp must be the newest. */
  add(entry: E): void {
    const bucket = bucketOf(entry);
    const slot = this.take(entry);
    const tail = this.tails[bucket]!;
    const links = this.links;
    links[2 * slot] = tail;
    links[2 * slot + 1] = NONE;
    if (tail !== NONE) links[2 * tail + 1] = slot;
    this.tails[bucket] = slot;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  /** Adds `entry` in its place by stamp, whatever its stamp: O(members of its bucket with a later stamp). */
  insert(entry: E): void {
    const bucket = bucketOf(entry);
    let after = this.tails[bucket]!;
    if (after === NONE || this.members[after]!.stamp < entry.stamp) {
      this.add(entry);
      return;
    }
    const links = this.links;
    let before = after;
    for (
      after = links[2 * after]!;
      after !== NONE && this.members[after]!.stamp > entry.stamp;
      after = links[2 * after]!
    ) {
      before = after;
    }
    const slot = this.take(entry);
    links[2 * slot] = after;
    links[2 * slot + 1] = before;
    links[2 * before] = slot;
    if (after !== NONE) links[2 * after + 1] = slot;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! += 1;
    this.count += 1;
  }

  /** Takes `entry` out; its level must be the one it was added with. */
  remove(entry: E): void {
    const bucket = bucketOf(entry);
    const slot = entry.candidateSlot;
    const links = this.links;
    const prev = links[2 * slot]!;
    const next = links[2 * slot + 1]!;
    if (prev !== NONE) links[2 * prev + 1] = next;
    if (next === NONE) this.tails[bucket] = prev;
    else links[2 * next] = prev;
    if (!Number.isInteger(entry.level)) this.fractional[bucket]! -= 1;
    entry.candidateSlot = -1;
    this.members[slot] = undefined;
    this.free[this.freeCount++] = slot;
    this.count -= 1;
  }

  /** The loudest candidate, the most recently touched among equals; `undefined` when there is none. */
  loudest(): E | undefined {
    if (this.count === 0) return undefined;
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      const tail = this.tails[bucket]!;
      if (tail === NONE) continue;
      let best = this.members[tail]!;
      if (this.fractional[bucket] === 0) return best;
      for (let slot = this.links[2 * tail]!; slot !== NONE; slot = this.links[2 * slot]!) {
        const entry = this.members[slot]!;
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
      for (let slot = this.tails[bucket]!; slot !== NONE; slot = this.links[2 * slot]!) {
        const entry = this.members[slot]!;
        if (!accept(entry)) continue;
        if (this.fractional[bucket] === 0) return entry;
        if (best === undefined || entry.level > best.level) best = entry;
      }
      if (best !== undefined) return best;
    }
    return undefined;
  }

  clear(): void {
    this.tails.fill(NONE);
    this.fractional.fill(0);
    this.members = [];
    this.links = new Int32Array(64).fill(NONE);
    this.free = new Int32Array(32);
    this.freeCount = 0;
    this.slots = 0;
    this.count = 0;
  }

  /** A slot for `entry`: the one freed last, or a new one. */
  private take(entry: E): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      slot = this.slots++;
      if (2 * this.slots > this.links.length) {
        const links = new Int32Array(2 * this.links.length).fill(NONE);
        links.set(this.links);
        this.links = links;
        const free = new Int32Array(2 * this.free.length);
        free.set(this.free);
        this.free = free;
      }
    }
    entry.candidateSlot = slot;
    this.members[slot] = entry;
    return slot;
  }
}
