import { quieter } from '../rules/ties.js';
import type { Ranked } from './ranked.js';

/**
 * The selected sources, quietest at the top (rule 8 breaks ties): a binary min-heap by (level, stamp), O(log size)
 * per change.
 */
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
