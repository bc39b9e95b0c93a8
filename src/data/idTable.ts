import { SlotArray } from './slotArray.js';

/** The first capacity of a slot index (a power of two). */
const FIRST_CAPACITY = 16;
const EMPTY = -1;
/** Where a probe found no pair for its id. */
const MISSING = -1;
/**
 * How many ids the `Map` holds before strings move to an index of their own. A `Map` hashes a string once and keeps
 * the hash in it, so while the table fits in cache it is faster than hashing on every lookup; past this size a
 * lookup's cache misses cost more than hashing.
 */
const INDEX_STRINGS_AT = 16_384;
/** Fibonacci hashing: the top bits of `key * 2^32 / phi`. */
const PHI = 0x9e3779b1;

/**
 * An open-addressing index of int32 keys to slots: pairs (key, slot) side by side in one typed array, found by
 * Fibonacci hashing and linear probing, so that a lookup reads one cache line. Removal shifts the following entries
 * of the probe run back (no tombstones); the index doubles at half full and halves below an eighth full (never below
 * its first capacity), so that a run of adds and removals around one size does not resize it each time: every
 * operation is O(1) amortized. Keys need not be unique (string hashes collide): a lookup walks the run and asks its
 * caller which slot is the one.
 */
export class SlotIndex {
  /** Pairs (key, slot), or (?, EMPTY). */
  table = new Int32Array(2 * FIRST_CAPACITY).fill(EMPTY);
  mask = FIRST_CAPACITY - 1;
  shift = 32 - Math.log2(FIRST_CAPACITY);
  count = 0;

  /** Where the probe run of `key` starts. */
  home(key: number): number {
    return Math.imul(key, PHI) >>> this.shift;
  }

  add(key: number, slot: number): void {
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    this.place(key, slot);
    this.count++;
  }

  /** Removes the pair at position `at`. */
  removeAt(at: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = at;
    // Shift back the entries after it in its probe run whose home is not cyclically within (hole, next].
    for (let next = (hole + 1) & mask; table[2 * next + 1] !== EMPTY; next = (next + 1) & mask) {
      const home = this.home(table[2 * next]!);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        table[2 * hole] = table[2 * next]!;
        table[2 * hole + 1] = table[2 * next + 1]!;
        hole = next;
      }
    }
    table[2 * hole + 1] = EMPTY;
    this.count--;
    if (8 * this.count < mask + 1 && mask + 1 > FIRST_CAPACITY) this.resize((mask + 1) / 2);
  }

  /** The number of pairs it has room for before it doubles, and after which it halves: its capacity. */
  get capacity(): number {
    return this.mask + 1;
  }

  clear(): void {
    this.table = new Int32Array(2 * FIRST_CAPACITY).fill(EMPTY);
    this.mask = FIRST_CAPACITY - 1;
    this.shift = 32 - Math.log2(FIRST_CAPACITY);
    this.count = 0;
  }

  private place(key: number, slot: number): void {
    const table = this.table;
    let at = this.home(key);
    while (table[2 * at + 1] !== EMPTY) at = (at + 1) & this.mask;
    table[2 * at] = key;
    table[2 * at + 1] = slot;
  }

  private grow(): void {
    this.resize(2 * (this.mask + 1));
  }

  private resize(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(2 * capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    for (let at = 0; at < old.length; at += 2) if (old[at + 1] !== EMPTY) this.place(old[at]!, old[at + 1]!);
  }
}

/** FNV-1a of a string's UTF-16 code units, as an int32 (what the index stores). */
function hashOf(text: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Whether `source` is an SSRC-like number: a whole number in 0..2^32-1. */
export function isSsrc(source: unknown): source is number {
  return typeof source === 'number' && source >>> 0 === source;
}

/**
 * Source ids to slots: every id known gets a slot, a small integer that stays its own until the id is deleted, so
 * that what a stage keeps of a source can sit in arrays by slot (typed arrays, for the mixer's core) instead of in an
 * object per source. Freed slots are given again, the last freed first, so the slots stay dense ({@link SlotArray}).
 *
 * A deleted id is unknown at once, but keeps its slot, and the slot its id, until {@link IdTable.release}: what the
 * removal causes (an unpin, a `source-removed`) can still name it. A stage releases at the end of the event that
 * deleted it; then nothing of the id stays, and the indexes and the slots shrink as the table empties.
 *
 * The packet's lookup: a `Map` keeps each entry apart from its bucket, and a number key above 2^30 as a heap number
 * of its own, so at a million sources a lookup costs two or three cache misses. Here SSRC-like numbers (what the RTP
 * adapter emits) are found through a {@link SlotIndex} of their own (the number itself beside its slot), so a lookup
 * costs one miss; so are strings once there are more than 16 384 ids (their FNV-1a hash beside the slot; below that,
 * a `Map`, which keeps each string's hash, is faster). Ids of any other kind go to the `Map`.
 */
export class IdTable<S> {
  private readonly others = new Map<S, number>();
  private readonly numbers = new SlotIndex();
  private readonly strings = new SlotIndex();
  /** Per slot, its id. */
  private readonly ids = new SlotArray<S>();
  /** The slots of ids deleted and not released yet. */
  private readonly deleted: number[] = [];
  /** Whether strings have their own index (once the `Map` grew past `indexStringsAt`). */
  private stringsIndexed = false;

  /** @param indexStringsAt how many ids the `Map` holds before strings get their own index. */
  constructor(private readonly indexStringsAt = INDEX_STRINGS_AT) {}

  get size(): number {
    return this.ids.size - this.deleted.length;
  }

  /** The slots of the ids deleted and not released yet: they are given again only once released. */
  get leaving(): readonly number[] {
    return this.deleted;
  }

  /** One more than the highest slot in use (or deleted and not released): arrays by slot need this length. */
  get slots(): number {
    return this.ids.length;
  }

  /** The slot of `source`, or -1 when it is not known. */
  slotOf(source: S): number {
    // The packet's lookup: each kind written out, with no index chosen at run time.
    if (isSsrc(source)) {
      const at = this.numberAt(source);
      return at === MISSING ? MISSING : this.numbers.table[2 * at + 1]!;
    }
    if (typeof source !== 'string' || !this.stringsIndexed) return this.others.get(source) ?? MISSING;
    const at = this.stringAt(source);
    return at === MISSING ? MISSING : this.strings.table[2 * at + 1]!;
  }

  /** The id of `slot`: a slot in use, or one deleted and not released since. */
  idAt(slot: number): S {
    return this.ids.at(slot);
  }

  /** Adds `source`, which must not be known: its new slot. */
  add(source: S): number {
    const slot = this.ids.add(source);
    this.index(source, slot);
    return slot;
  }

  /** Forgets `source`: the slot it had, now free, or -1 when it was not known. */
  delete(source: S): number {
    const index = this.indexOf(source);
    let slot: number;
    if (index === null) {
      slot = this.others.get(source) ?? MISSING;
      this.others.delete(source);
    } else {
      const at = index === this.numbers ? this.numberAt(source as number) : this.stringAt(source as string);
      if (at === MISSING) return MISSING;
      slot = index.table[2 * at + 1]!;
      index.removeAt(at);
    }
    // Its id stays at the slot until released: what the removal emits can still name it.
    if (slot !== MISSING) this.deleted.push(slot);
    return slot;
  }

  /** Frees the slots of the ids deleted since the last release, letting go of the ids: O(1) amortized per id. */
  release(): void {
    const deleted = this.deleted;
    for (let index = 0; index < deleted.length; index++) this.ids.free(deleted[index]!);
    deleted.length = 0;
  }

  clear(): void {
    this.stringsIndexed = false;
    this.others.clear();
    this.numbers.clear();
    this.strings.clear();
    this.ids.clear();
    this.deleted.length = 0;
  }

  /** Finds `source` at `slot` from now on. */
  private index(source: S, slot: number): void {
    const index = this.indexOf(source);
    if (index === this.numbers) index.add((source as number) | 0, slot);
    else if (index === this.strings) index.add(hashOf(source as string), slot);
    else {
      this.others.set(source, slot);
      if (this.others.size > this.indexStringsAt && !this.stringsIndexed) this.indexStrings();
    }
  }

  /** The index `source` belongs in, or `null` for the `Map`. */
  private indexOf(source: S): SlotIndex | null {
    if (isSsrc(source)) return this.numbers;
    return typeof source === 'string' && this.stringsIndexed ? this.strings : null;
  }

  /** Moves the string ids out of the `Map` into their own index. */
  private indexStrings(): void {
    this.stringsIndexed = true;
    for (const [source, slot] of this.others) {
      if (typeof source !== 'string') continue;
      this.others.delete(source);
      this.strings.add(hashOf(source), slot);
    }
  }

  /** Where `source`'s pair is in the index of numbers, or MISSING. */
  private numberAt(source: number): number {
    const { table, mask } = this.numbers;
    const key = source | 0;
    for (let at = this.numbers.home(key); ; at = (at + 1) & mask) {
      if (table[2 * at + 1] === EMPTY) return MISSING;
      if (table[2 * at] === key) return at;
    }
  }

  /** Where `source`'s pair is in the index of strings, or MISSING. */
  private stringAt(source: string): number {
    const { table, mask } = this.strings;
    const key = hashOf(source);
    for (let at = this.strings.home(key); ; at = (at + 1) & mask) {
      const slot = table[2 * at + 1]!;
      if (slot === EMPTY) return MISSING;
      if (table[2 * at] === key && this.ids.at(slot) === source) return at;
    }
  }
}
