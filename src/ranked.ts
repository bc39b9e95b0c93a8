/**
 * The two rankings {@link LoudestSelector} keeps: the selected sources by how quiet they are (a heap of at most
 * `outputs` entries), and the candidates by how loud they are (buckets of 1 dB).
 *
 * Ties between equal levels are broken by `stamp`, a counter the selector bumps every time it touches a source
 * (added, packet, selected, deselected): the quietest selected source is the one touched longest ago, and the
 * loudest candidate is the one touched most recently.
 *
 * @module
 */
import { SILENCE } from './levels.js';

/** What the rankings need to know of a source. */
export interface Ranked {
  level: number;
  stamp: number;
  /** When it was last selected, in ms (for the minimum hold). */
  pinnedAt: number;
  /** Position in `QuietestHeap`, or -1 when not in it. */
  heapIndex: number;
  /** Bucket in `CandidateBuckets`, or -1 when not in it. */
  bucket: number;
  prev: this | null;
  next: this | null;
}

function quieter(a: Ranked, b: Ranked): boolean {
  return a.level < b.level || (a.level === b.level && a.stamp < b.stamp);
}

/** A binary min-heap by (level, stamp): the quietest entry is at the top. O(log size) per change. */
export class QuietestHeap<E extends Ranked> {
  private readonly items: E[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Every entry, in heap order. */
  entries(): readonly E[] {
    return this.items;
  }

  /** The quietest entry, or `undefined` when empty. */
  peek(): E | undefined {
    return this.items[0];
  }

  insert(entry: E): void {
    entry.heapIndex = this.items.length;
    this.items.push(entry);
    this.up(entry.heapIndex);
  }

  remove(entry: E): void {
    const index = entry.heapIndex;
    const last = this.items.pop() as E;
    entry.heapIndex = -1;
    if (last === entry) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.update(last);
  }

  /** Restores the order after `entry`'s level or stamp changed. */
  update(entry: E): void {
    if (!this.up(entry.heapIndex)) this.down(entry.heapIndex);
  }

  clear(): void {
    this.items.length = 0;
  }

  private up(index: number): boolean {
    const items = this.items;
    const entry = items[index] as E;
    let moved = false;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as E;
      if (!quieter(entry, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
      moved = true;
    }
    items[index] = entry;
    entry.heapIndex = index;
    return moved;
  }

  private down(index: number): void {
    const items = this.items;
    const size = items.length;
    const entry = items[index] as E;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && quieter(items[right] as E, items[left] as E)) child = right;
      const childEntry = items[child] as E;
      if (!quieter(childEntry, entry)) break;
      items[index] = childEntry;
      childEntry.heapIndex = index;
      index = child;
    }
    items[index] = entry;
    entry.heapIndex = index;
  }
}

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
