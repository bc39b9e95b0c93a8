/** The first capacity of the table of numeric ids (a power of two). */
const FIRST_CAPACITY = 16;
const EMPTY = -1;

/**
 * The records of a stage by source id, for the packet's lookup: a `Map` for every kind of id, except SSRC-like
 * numbers (whole numbers in 0..2^32-1, what the RTP adapter emits), which go to an open-addressing table of our
 * own. A `Map` keyed by such numbers keeps each key as a heap number and each entry apart from its bucket: at a
 * million sources a lookup costs two or three cache misses. Here the key and the record's slot sit side by side in
 * one typed array, found by a multiplicative hash and linear probing, so a lookup costs one miss; records sit in an
 * array by slot, in the order they joined, which a media server's round of packets mostly follows.
 *
 * Removal shifts the following entries of the probe run back (no tombstones), and the table doubles at half full:
 * every operation is O(1) expected.
 */
export class IdTable<S, R> {
  private readonly others = new Map<S, R>();
  /** Pairs (key as int32, slot), or (?, EMPTY). */
  private table = new Int32Array(2 * FIRST_CAPACITY).fill(EMPTY);
  private mask = FIRST_CAPACITY - 1;
  private shift = 32 - Math.log2(FIRST_CAPACITY);
  private numbers = 0;
  private readonly records: (R | undefined)[] = [];
  private readonly freeSlots: number[] = [];

  get size(): number {
    return this.numbers + this.others.size;
  }

  get(source: S): R | undefined {
    if (typeof source !== 'number' || source >>> 0 !== source) return this.others.get(source);
    const table = this.table;
    const key = source | 0;
    for (let at = Math.imul(key, 0x9e3779b1) >>> this.shift; ; at = (at + 1) & this.mask) {
      const slot = table[2 * at + 1]!;
      if (slot === EMPTY) return undefined;
      if (table[2 * at] === key) return this.records[slot];
    }
  }

  has(source: S): boolean {
    return this.get(source) !== undefined;
  }

  /** Adds `source`, which must not be known. */
  set(source: S, record: R): void {
    if (typeof source !== 'number' || source >>> 0 !== source) {
      this.others.set(source, record);
      return;
    }
    if (2 * (this.numbers + 1) > this.mask + 1) this.grow();
    const slot = this.freeSlots.pop() ?? this.records.length;
    this.records[slot] = record;
    this.place(source | 0, slot);
    this.numbers++;
  }

  delete(source: S): void {
    if (typeof source !== 'number' || source >>> 0 !== source) {
      this.others.delete(source);
      return;
    }
    const table = this.table;
    const mask = this.mask;
    const key = source | 0;
    let at = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (; ; at = (at + 1) & mask) {
      const slot = table[2 * at + 1]!;
      if (slot === EMPTY) return;
      if (table[2 * at] === key) {
        this.records[slot] = undefined;
        this.freeSlots.push(slot);
        break;
      }
    }
    // Shift back the entries after it in its probe run that may move into the hole.
    let hole = at;
    for (let next = (hole + 1) & mask; table[2 * next + 1] !== EMPTY; next = (next + 1) & mask) {
      const home = Math.imul(table[2 * next]!, 0x9e3779b1) >>> this.shift;
      // It may move back when its home is not cyclically within (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        table[2 * hole] = table[2 * next]!;
        table[2 * hole + 1] = table[2 * next + 1]!;
        hole = next;
      }
    }
    table[2 * hole + 1] = EMPTY;
    this.numbers--;
  }

  clear(): void {
    this.others.clear();
    this.table = new Int32Array(2 * FIRST_CAPACITY).fill(EMPTY);
    this.mask = FIRST_CAPACITY - 1;
    this.shift = 32 - Math.log2(FIRST_CAPACITY);
    this.numbers = 0;
    this.records.length = 0;
    this.freeSlots.length = 0;
  }

  private place(key: number, slot: number): void {
    const table = this.table;
    let at = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (table[2 * at + 1] !== EMPTY) at = (at + 1) & this.mask;
    table[2 * at] = key;
    table[2 * at + 1] = slot;
  }

  private grow(): void {
    const old = this.table;
    const capacity = 2 * (this.mask + 1);
    this.table = new Int32Array(2 * capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    for (let at = 0; at < old.length; at += 2) if (old[at + 1] !== EMPTY) this.place(old[at]!, old[at + 1]!);
  }
}
