/**
 * What the mixer's core keeps of each source, by slot (the slot its {@link IdTable} gave it): one record of 64 bytes
 * per slot in one buffer, read through a Float64Array and an Int32Array over the same bytes. A packet touches its own
 * slot's record (one cache line, or two) and the links of its neighbours in the activity list and its level bucket,
 * instead of an object per source scattered over the heap with its own header and boxed numbers, and an entry in
 * a `Map` beside it.
 *
 * Layout of slot `s`: `f64[8s + LEVEL | STAMP | ACTIVE]`, then
 * `i32[16s + OLDER | NEWER | PREV | NEXT | HEAP | OUTPUT | KEY | KIND | SUCCESSOR | NEXT_KEY]`.
 *
 * @module
 */
/** Slot `s`'s fields in `f64` start at `F64_PER_SLOT * s`. */
export const F64_PER_SLOT = 8;
/** Slot `s`'s fields in `i32` start at `I32_PER_SLOT * s`. */
export const I32_PER_SLOT = 2 * F64_PER_SLOT;

/** Its level, in dBov (rules 2 and 4). */
export const LEVEL = 0;
/** Its stamp (rule 8, ties). */
export const STAMP = 1;
/** When it was last active, in ms (rule 5, timeouts). */
export const ACTIVE = 2;
/** The slot before it in the activity list (older), or -1. */
export const OLDER = 6;
/** The slot after it in the activity list (newer), or -1. */
export const NEWER = 7;
/** The slot before it in its level bucket (touched earlier), or -1. */
export const PREV = 8;
/** The slot after it in its level bucket (touched later), or -1. */
export const NEXT = 9;
/** Its position among the selected sources, or -1 when it is a candidate. */
export const HEAP = 10;
/** The output it is pinned to, or -1. */
export const OUTPUT = 11;
/** Its id as an int32, when it is an SSRC-like number (`SourceRegistry`'s guess checks it). */
export const KEY = 12;
/** What kind of id it has: FREE, SSRC or OTHER. */
export const KIND = 13;
/** The slot whose packet came after its packet last time, or -1 (`SourceRegistry`'s guess). */
export const SUCCESSOR = 14;
/** A short key of {@link SUCCESSOR}'s id (`SourceRegistry`'s guess is taken only when the next id has this key). */
export const NEXT_KEY = 15;

/** {@link KIND} of a slot not in use. */
export const FREE = 0;
/** {@link KIND} of a slot whose id is an SSRC-like number, kept in {@link KEY}. */
export const SSRC = 1;
/** {@link KIND} of a slot with any other id. */
export const OTHER = 2;

const FIRST_CAPACITY = 16;

/**
 * The per-slot records, growing by doubling as slots are given, and halving (at least) once fewer than a quarter of
 * them lie below the highest slot in use ({@link SourceSlots.fit}): a room that grows and shrinks around one size does
 * not reallocate on each join, and one that empties gives its memory back. Slots keep their records: only the
 * records past the highest slot in use, all free, are dropped.
 */
export class SourceSlots {
  f64: Float64Array;
  i32: Int32Array;
  private capacity: number;

  constructor() {
    this.capacity = FIRST_CAPACITY;
    const buffer = new ArrayBuffer(FIRST_CAPACITY * F64_PER_SLOT * 8);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  /** Slot `slot`'s level ({@link LEVEL}). */
  level(slot: number): number {
    return this.f64[F64_PER_SLOT * slot + LEVEL]!;
  }

  /** Slot `slot`'s stamp ({@link STAMP}). */
  stamp(slot: number): number {
    return this.f64[F64_PER_SLOT * slot + STAMP]!;
  }

  /** The output slot `slot` is pinned to, or -1 ({@link OUTPUT}). */
  output(slot: number): number {
    return this.i32[I32_PER_SLOT * slot + OUTPUT]!;
  }

  /** Makes room for `slot` (slots are given densely, so this doubles at most once). */
  reserve(slot: number): void {
    if (slot < this.capacity) return;
    let capacity = this.capacity;
    while (capacity <= slot) capacity *= 2;
    const buffer = new ArrayBuffer(capacity * F64_PER_SLOT * 8);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(buffer);
    this.capacity = capacity;
  }

  /** How many records it has room for. */
  get size(): number {
    return this.capacity;
  }

  /**
   * Tells it that slots `slots` and up are free (their records are not read again before they are given anew): it
   * shrinks when they fill less than a quarter of it, to twice their number (never below the first capacity), and
   * then answers true.
   */
  fit(slots: number): boolean {
    if (4 * slots >= this.capacity || this.capacity === FIRST_CAPACITY) return false;
    let capacity = FIRST_CAPACITY;
    while (capacity < 2 * slots) capacity *= 2;
    const buffer = new ArrayBuffer(capacity * F64_PER_SLOT * 8);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64.subarray(0, slots * F64_PER_SLOT));
    this.f64 = f64;
    this.i32 = new Int32Array(buffer);
    this.capacity = capacity;
    return true;
  }

  /** Gives the memory back: back to the first capacity. */
  clear(): void {
    if (this.capacity === FIRST_CAPACITY) return;
    this.capacity = FIRST_CAPACITY;
    const buffer = new ArrayBuffer(FIRST_CAPACITY * F64_PER_SLOT * 8);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }
}
