import { SlotArray } from './slotArray.js';
import { HEAP, I32_PER_SLOT, OUTPUT, SourceSlots } from './sourceSlots.js';

/**
 * Slots given and taken back as entries come and go, with per-slot records ({@link SourceSlots}) and the entry of
 * each slot, for a stage that finds its few entries without an id table: a room's listener view (through the room's
 * record of the source), `OutputPinner` (its pinned sources, at most one per output).
 */
export class SlotPool<E> {
  readonly slots = new SourceSlots();
  /** Per slot, its entry. */
  private readonly entries = new SlotArray<E>();

  /** How many slots are in use. */
  get size(): number {
    return this.entries.size;
  }

  /** A slot for the entry `make` builds for it, with room for it in the records: neither selected nor pinned. */
  take(make: (slot: number) => E): number {
    // A placeholder first: the slot is needed to make the entry.
    const slot = this.entries.add(undefined as E);
    this.slots.reserve(slot);
    const i32 = this.slots.i32;
    i32[I32_PER_SLOT * slot + HEAP] = -1;
    i32[I32_PER_SLOT * slot + OUTPUT] = -1;
    this.entries.set(slot, make(slot));
    return slot;
  }

  /** The entry of `slot`, which is in use. */
  at(slot: number): E {
    return this.entries.at(slot);
  }

  /** Takes `slot` back, letting go of its entry; the records shrink as the slots empty. */
  give(slot: number): void {
    this.entries.free(slot);
    this.slots.fit(this.entries.length);
  }

  /** Takes every slot back and gives the memory back. */
  clear(): void {
    this.entries.clear();
    this.slots.clear();
  }
}
