import { F64_PER_SLOT, HEAP, I32_PER_SLOT, LEVEL, STAMP, type SourceSlots } from './sourceSlots.js';

/** Room for this many selected sources before the heap grows. */
const FIRST_CAPACITY = 4;

/**
 * Whether a source at `levelA` stamped `stampA` is quieter than one at `levelB` stamped `stampB`: a lower level, or
 * the same level and touched longer ago (rule 8, ties: stamps come from `rules/ties.ts`).
 */
export function isQuieter(levelA: number, stampA: number, levelB: number, stampB: number): boolean {
  return levelA < levelB || (levelA === levelB && stampA < stampB);
}

/**
 * The selected sources, quietest at the top (rule 8 breaks ties), a binary min-heap by
 * (level, stamp) read from the slots' records, each slot's position kept in its record. Beside each, when it was
 * selected (read by the minimum hold), which only selected sources need. O(log size) per change.
 */
export class QuietestHeap {
  // Room grows with the selected sources (doubling, up to `capacity`), not allocated for `capacity` at once.
  private items: Int32Array;
  private since: Float64Array;
  size = 0;

  constructor(
    private readonly capacity: number,
    private readonly slots: SourceSlots,
  ) {
    const room = Math.min(capacity, FIRST_CAPACITY);
    this.items = new Int32Array(room);
    this.since = new Float64Array(room);
  }

  /** The quietest slot, or -1 when empty. */
  peek(): number {
    return this.size === 0 ? -1 : this.items[0]!;
  }

  /** The slot at position `index` (0 .. size-1), in heap order. */
  at(index: number): number {
    return this.items[index]!;
  }

  /** When the slot at position `index` was selected, in ms. */
  selectedAt(index: number): number {
    return this.since[index]!;
  }

  /** Adds `slot`, selected at `now`. */
  insert(slot: number, now: number): void {
    if (this.size === this.items.length) this.grow();
    const index = this.size++;
    this.items[index] = slot;
    this.since[index] = now;
    this.up(index);
  }

  remove(slot: number): void {
    const i32 = this.slots.i32;
    const index = i32[I32_PER_SLOT * slot + HEAP]!;
    i32[I32_PER_SLOT * slot + HEAP] = -1;
    const last = --this.size;
    if (index === last) return;
    const moved = this.items[last]!;
    this.items[index] = moved;
    this.since[index] = this.since[last]!;
    i32[I32_PER_SLOT * moved + HEAP] = index;
    this.update(moved);
  }

  /** Restores the order after `slot`'s level or stamp changed. */
  update(slot: number): void {
    const index = this.slots.i32[I32_PER_SLOT * slot + HEAP]!;
    if (!this.up(index)) this.down(index);
  }

  clear(): void {
    const i32 = this.slots.i32;
    for (let index = 0; index < this.size; index++) i32[I32_PER_SLOT * this.items[index]! + HEAP] = -1;
    this.size = 0;
  }

  private grow(): void {
    const room = Math.min(this.capacity, 2 * this.items.length);
    const items = new Int32Array(room);
    const since = new Float64Array(room);
    items.set(this.items);
    since.set(this.since);
    this.items = items;
    this.since = since;
  }

  /** Whether the slot at `a` is quieter than the one at `b`. */
  private quieter(a: number, b: number): boolean {
    const f64 = this.slots.f64;
    const slotA = F64_PER_SLOT * this.items[a]!;
    const slotB = F64_PER_SLOT * this.items[b]!;
    return isQuieter(f64[slotA + LEVEL]!, f64[slotA + STAMP]!, f64[slotB + LEVEL]!, f64[slotB + STAMP]!);
  }

  private swap(a: number, b: number): void {
    const { items, since } = this;
    const i32 = this.slots.i32;
    const slot = items[a]!;
    const time = since[a]!;
    items[a] = items[b]!;
    since[a] = since[b]!;
    items[b] = slot;
    since[b] = time;
    i32[I32_PER_SLOT * items[a] + HEAP] = a;
    i32[I32_PER_SLOT * slot + HEAP] = b;
  }

  private up(index: number): boolean {
    const start = index;
    this.slots.i32[I32_PER_SLOT * this.items[index]! + HEAP] = index;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.quieter(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
    return index !== start;
  }

  private down(index: number): void {
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.quieter(right, left) ? right : left;
      if (!this.quieter(child, index)) return;
      this.swap(index, child);
      index = child;
    }
  }
}
