/** What a slot not in use holds: no id or record of a source that left stays reachable from it. */
const VACANT: unique symbol = Symbol('vacant');
/** How many stale entries the vacant list may hold beyond the live ones before it is swept. */
const SWEEP_SLACK = 16;

/**
 * Values by slot, each a small integer that stays its value's own until it is freed: what a stage keeps of its
 * sources sits in arrays by slot. Freed slots are given again, the last freed first, so that the slots stay dense.
 *
 * It gives memory back as it empties: a freed slot lets go of its value at once, and when the highest slot in use is
 * freed, the array ends at the highest slot still in use (so arrays by slot elsewhere can shrink to
 * {@link SlotArray.length} too). Slots in use never move: a slot freed below the highest one in use waits in the
 * vacant list to be given again. Every operation is O(1) amortized: a slot is cut off the end once per freeing, and
 * the vacant list is swept of the slots cut off (O(its length)) only when they outnumber the ones it needs.
 */
export class SlotArray<E> {
  /** Per slot below `length`, its value, or VACANT. */
  private readonly values: (E | typeof VACANT)[] = [];
  /** Vacant slots, the last freed at the end; some may be at or past `length` (cut off since), skipped when met. */
  private readonly vacant: number[] = [];
  private used = 0;

  /** How many slots are in use. */
  get size(): number {
    return this.used;
  }

  /** One more than the highest slot in use: arrays by slot need this length. */
  get length(): number {
    return this.values.length;
  }

  /** The value of `slot`, which is in use. */
  at(slot: number): E {
    return this.values[slot] as E;
  }

  /** Whether `slot` is in use. */
  has(slot: number): boolean {
    return slot < this.values.length && this.values[slot] !== VACANT;
  }

  /** Replaces the value of `slot`, which is in use. */
  set(slot: number, value: E): void {
    this.values[slot] = value;
  }

  /** Gives `value` a slot: the last one freed that is still below `length`, or a new one at the end. */
  add(value: E): number {
    const values = this.values;
    let slot = this.vacant.pop();
    while (slot !== undefined && slot >= values.length) slot = this.vacant.pop();
    if (slot === undefined) slot = values.length;
    values[slot] = value;
    this.used += 1;
    return slot;
  }

  /** Frees `slot`, which is in use: its value is let go of at once. */
  free(slot: number): void {
    const values = this.values;
    values[slot] = VACANT;
    this.used -= 1;
    if (slot !== values.length - 1) {
      this.vacant.push(slot);
      return;
    }
    let end = slot;
    while (end > 0 && values[end - 1] === VACANT) end--;
    // V8 gives the array's memory back once less than half of it is used.
    values.length = end;
    const needed = end - this.used;
    if (this.vacant.length > 2 * needed + SWEEP_SLACK) this.sweep(end);
  }

  clear(): void {
    this.values.length = 0;
    this.vacant.length = 0;
    this.used = 0;
  }

  /** Drops from the vacant list the slots at or past `end`, keeping the order of the others. */
  private sweep(end: number): void {
    const vacant = this.vacant;
    let kept = 0;
    for (let index = 0; index < vacant.length; index++) {
      const slot = vacant[index]!;
      if (slot < end) vacant[kept++] = slot;
    }
    vacant.length = kept;
  }
}
