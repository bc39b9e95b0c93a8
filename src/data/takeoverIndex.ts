import { SILENCE } from '../events/levels.js';

/** What the index needs of a view. */
export interface TakeoverView {
  /** The level at or above which a packet may take over one of its selections (`-Infinity`: one is free). */
  takeoverLevel(): number;
  barBucket: number;
  barSlot: number;
}

/** Bucket 0: views any packet reaches (a free selection, or a takeover level at or below -127). */
const BUCKETS = -SILENCE + 2;
const NONE = BUCKETS;

function bucketOf(level: number): number {
  return level <= SILENCE ? 0 : Math.floor(level) - SILENCE + 1;
}

/**
 * The room's views by the level at which a packet can take over one of their selections (rule 6), so that a packet
 * that can change no view costs one comparison, however many views there are: buckets of 1 dB, and the lowest
 * bucket in use. A view whose takeover level is above 0 dBov is not kept: no packet can reach it.
 */
export class TakeoverIndex<V extends TakeoverView> {
  private readonly buckets: V[][] = Array.from({ length: BUCKETS }, () => []);
  private lowest = NONE;
  private readonly found: V[] = [];

  /** Puts `view` where its takeover level now belongs. O(1), or O(buckets) when the lowest bucket empties. */
  update(view: V): void {
    const level = view.takeoverLevel();
    const bucket = level > 0 ? -1 : bucketOf(level);
    if (bucket === view.barBucket) return;
    this.remove(view);
    if (bucket < 0) return;
    const members = this.buckets[bucket]!;
    view.barBucket = bucket;
    view.barSlot = members.length;
    members.push(view);
    if (bucket < this.lowest) this.lowest = bucket;
  }

  remove(view: V): void {
    const bucket = view.barBucket;
    if (bucket < 0) return;
    const members = this.buckets[bucket]!;
    const last = members.pop()!;
    if (last !== view) {
      members[view.barSlot] = last;
      last.barSlot = view.barSlot;
    }
    view.barBucket = view.barSlot = -1;
    if (members.length === 0 && bucket === this.lowest) {
      let next = bucket + 1;
      while (next < BUCKETS && this.buckets[next]!.length === 0) next++;
      this.lowest = next;
    }
  }

  /** Whether a packet at `level` may take over a selection in some view: one comparison. */
  reaches(level: number): boolean {
    return this.lowest <= bucketOf(level);
  }

  /**
   * The views whose takeover level is at or below `level`, in a list that is reused by the next call: copy nothing
   * from it across calls.
   */
  reachedBy(level: number): readonly V[] {
    const found = this.found;
    found.length = 0;
    const top = bucketOf(level);
    for (let bucket = this.lowest; bucket <= top; bucket++) {
      for (const view of this.buckets[bucket]!) if (bucket < top || view.takeoverLevel() <= level) found.push(view);
    }
    return found;
  }

  clear(): void {
    for (const members of this.buckets) {
      for (const view of members) view.barBucket = view.barSlot = -1;
      members.length = 0;
    }
    this.lowest = NONE;
  }
}
