import { IdTable, isSsrc } from './idTable.js';
import { FREE, I32_PER_SLOT, KEY, KIND, NEXT_KEY, OTHER, SSRC, SUCCESSOR, type SourceSlots } from './sourceSlots.js';

/**
 * A short key of `source` for {@link SlotLookup}'s guess: an SSRC as an int32; for a string, its length and its last
 * and middle UTF-16 code units; 0 for other ids. Different ids may share a key; the guess checks the id.
 */
function keyOf(source: unknown): number {
  if (isSsrc(source)) return source | 0;
  if (typeof source !== 'string') return 0;
  const length = source.length;
  return length === 0 ? 1 : (length << 20) ^ (source.charCodeAt(length - 1) << 10) ^ source.charCodeAt(length >> 1);
}

/**
 * Source ids to slots ({@link IdTable}), with a guess in front of it for the packet's lookup.
 *
 * Packets come in rounds, each source's every 20 ms or so, and a round's order is mostly the last round's order.
 * So each slot's record ({@link SourceSlots}) remembers which slot was looked up after it, and a short key of that
 * slot's id (the SSRC itself, or a string's length and two of its code units). When the next id has that key, that
 * slot is checked (its kind and key, or its id) and taken without the id table, whose lookup is a cache miss of its
 * own at a million sources. A key that does not match costs one comparison in a line the packet before has read.
 */
export class SlotLookup<S> {
  private readonly ids = new IdTable<S>();
  /** The slot looked up last, or -1. */
  private last = -1;

  constructor(private readonly slots: SourceSlots) {}

  get size(): number {
    return this.ids.size;
  }

  /** The slot of `source`, or -1 when it is not known. */
  slotOf(source: S): number {
    const last = this.last;
    const key = keyOf(source);
    if (last >= 0) {
      const i32 = this.slots.i32;
      const from = I32_PER_SLOT * last;
      const guess = i32[from + SUCCESSOR]!;
      if (guess >= 0 && i32[from + NEXT_KEY] === key) {
        const at = I32_PER_SLOT * guess;
        const kind = i32[at + KIND]!;
        if (
          kind === SSRC
            ? isSsrc(source) && i32[at + KEY] === key
            : kind === OTHER && typeof source === 'string' && this.ids.idAt(guess) === source
        ) {
          this.last = guess;
          return guess;
        }
      }
    }
    const slot = this.ids.slotOf(source);
    if (slot >= 0) {
      if (last >= 0) {
        const i32 = this.slots.i32;
        i32[I32_PER_SLOT * last + SUCCESSOR] = slot;
        i32[I32_PER_SLOT * last + NEXT_KEY] = key;
      }
      this.last = slot;
    }
    return slot;
  }

  /** The id of `slot`: a slot in use, or one deleted and not released since. */
  idAt(slot: number): S {
    return this.ids.idAt(slot);
  }

  /** Whether `slot` is given to a known source. */
  inUse(slot: number): boolean {
    return this.slots.i32[I32_PER_SLOT * slot + KIND] !== FREE;
  }

  /** Adds `source`, which must not be known: its new slot, with room for it in the records. */
  add(source: S): number {
    const slot = this.ids.add(source);
    this.slots.reserve(slot);
    const i32 = this.slots.i32;
    const at = I32_PER_SLOT * slot;
    if (isSsrc(source)) {
      i32[at + KIND] = SSRC;
      i32[at + KEY] = source | 0;
    } else i32[at + KIND] = OTHER;
    i32[at + SUCCESSOR] = -1;
    return slot;
  }

  /** Forgets the source of `slot`: unknown at once, its id still read at its slot until {@link SlotLookup.release}. */
  delete(slot: number): void {
    this.slots.i32[I32_PER_SLOT * slot + KIND] = FREE;
    if (this.last === slot) this.last = -1;
    this.ids.delete(this.ids.idAt(slot));
  }

  /** The slots deleted and not released yet. */
  get leaving(): readonly number[] {
    return this.ids.leaving;
  }

  /** One more than the highest slot in use (or deleted and not released). */
  get end(): number {
    return this.ids.slots;
  }

  /**
   * Lets go of the ids deleted since the last release and gives their slots back; the records shrink as the slots
   * empty ({@link SourceSlots.fit}), and a guess that pointed past them is dropped.
   */
  release(): void {
    if (this.ids.leaving.length === 0) return;
    this.ids.release();
    const end = this.ids.slots;
    if (!this.slots.fit(end)) return;
    const i32 = this.slots.i32;
    const size = this.slots.size;
    for (let at = SUCCESSOR; at < I32_PER_SLOT * end; at += I32_PER_SLOT) if (i32[at]! >= size) i32[at] = -1;
  }

  clear(): void {
    this.ids.clear();
    this.last = -1;
  }
}
