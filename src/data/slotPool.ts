import { HEAP, I32_PER_SLOT, OUTPUT, SourceSlots } from './sourceSlots.js';

/**
 * Slots given and taken back as entries come and go, with per-slot records ({@link SourceSlots}) and the entry of
 * each slot, for a stage that finds its few entries without an id table: a room's listener view (through the room's
 * record of the source), `OutputPinner` (its pinned sources, at most one per output).
 */
export class SlotPool<E> {
  readonly slots = new SourceSlots();
  /** Per slot, its entry; a freed slot keeps its entry until it is given again. */
  private readonly entries: E[] = [];
  private readonly free: number[] = [];

  /** How many slots are in use. */
  get size(): number {
    return this.entries.length - this.free.length;
  }

  /** A slot for the entry `make` builds for it, with room for it in the records: neither selected nor pinned. */
  take(make: (slot: number) => E): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.entries.length;
    this.slots.reserve(slot);
    const i32 = this.slots.i32;
    i32[I32_PER_SLOT * slot + HEAP] = -1;
    i32[I32_PER_SLOT * slot + OUTPUT] = -1;
    this.entries[slot] = make(slot);
    return slot;
  }

  /** The entry of `slot`: in use, or freed and not given again since. */
  at(slot: number): E {
    return this.entries[slot]!;
  }

  /** Takes `slot` back. */
  give(slot: number): void {
    this.free.push(slot);
  }

  /** Takes every slot back and gives the memory back. */
  clear(): void {
    this.entries.length = 0;
    this.free.length = 0;
    this.slots.clear();
  }
}
