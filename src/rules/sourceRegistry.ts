/**
 * Rules 1, 3 and 5 as every stage keeps its sources: a source joins with its first event (`source-added`, or a packet
 * of an unknown source), leaves with `source-removed` or its timeout; adding a known source or removing an unknown
 * one is reported and ignored. Rule 5, timeouts: a source with no event for `timeout` ms is removed at exactly
 * `last event time + timeout`, several at once oldest activity first, in O(expired); nothing can fall due while no
 * source is known.
 *
 * @module
 */
import { ActivityList } from '../data/activityList.js';
import { IdTable, isSsrc } from '../data/idTable.js';
import { FREE, I32_PER_SLOT, KEY, KIND, NEXT_KEY, OTHER, SourceSlots, SSRC, SUCCESSOR } from '../data/sourceSlots.js';
import type { InvalidHandler } from '../events/events.js';
import { reportDuplicate, reportUnknown } from '../events/reports.js';

/** What a {@link SourceRegistry} needs of the object a stage keeps per source: the slot it gives it. */
export interface Known {
  /** Its slot while its source is known. */
  slot: number;
}

/**
 * A short key of `source` for the lookup's guess: an SSRC as an int32; for a string, its length and its last and
 * middle UTF-16 code units; 0 for other ids. Different ids may share a key; the guess checks the id.
 */
function keyOf(source: unknown): number {
  if (isSsrc(source)) return source | 0;
  if (typeof source !== 'string') return 0;
  const length = source.length;
  return length === 0 ? 1 : (length << 20) ^ (source.charCodeAt(length - 1) << 10) ^ source.charCodeAt(length >> 1);
}

/**
 * The known sources of a stage, the one home of rules 1, 3 and 5: who is known, by slot, and when each falls due.
 *
 * Each known source has a slot, a small integer that stays its own until it is forgotten, and a record of 64 bytes at
 * that slot ({@link SourceSlots}): its last activity and its links in the activity list ({@link ActivityList}), the
 * lookup's guess, and whatever else the stage keeps of it by slot (the mixer's level, stamp, output). A stage that
 * keeps an object per source (the room, the level normaliser, the cascade) gives a `create` and reads it by slot too.
 *
 * The lookup: packets come in rounds, each source's every 20 ms or so, and a round's order is mostly the last round's
 * order. So each slot's record remembers which slot was looked up after it, and a short key of that slot's id (the
 * SSRC itself, or a string's length and two of its code units). When the next id has that key, that slot is checked
 * (its kind and key, or its id) and taken without the {@link IdTable}, whose lookup is a cache miss of its own at a
 * million sources. A key that does not match costs one comparison in a line the packet before has read.
 *
 * A forgotten source (removed or timed out) is unknown at once, but keeps its slot, its id and its object until
 * {@link SourceRegistry.release}: what its leaving causes (an unpin, a `source-removed`) can still name it. A stage
 * releases at the end of the event that forgot it; then the slots are given again and the records shrink.
 */
export class SourceRegistry<S, R extends Known = Known> {
  /** The per-slot records; the stage keeps its own per-source fields there too. */
  readonly slots = new SourceSlots();
  private readonly activity = new ActivityList(this.slots);
  private readonly ids = new IdTable<S>();
  /** The slot looked up last, or -1: the guess reads its record. */
  private last = -1;
  /** Per slot, the stage's object for it (a forgotten one until released), when the stage keeps objects. */
  private readonly records: (R | undefined)[] = [];
  /** Whether a source was forgotten since the last release. */
  private forgotten = false;

  /**
   * @param timeout Rule 5: how long a source may stay silent, in ms (`Infinity` for a stage that times nothing out).
   * @param onInvalid Told of a duplicate `source-added` and of a `source-removed` of an unknown source.
   * @param create The object the stage keeps per source, if it keeps one.
   */
  constructor(
    readonly timeout: number,
    private readonly onInvalid: InvalidHandler | undefined,
    private readonly create: ((source: S) => R) | null = null,
  ) {}

  /** How many sources are known. */
  get size(): number {
    return this.ids.size;
  }

  /**
   * `time`, or the latest time seen if `time` is earlier ({@link ActivityList.monotonic}): a clock that steps back
   * never times a source out early.
   */
  now(time: number): number {
    return this.activity.monotonic(time);
  }

  /** When the next source falls due (rule 5), or `undefined` while none is known. */
  deadline(): number | undefined {
    return this.activity.deadline(this.timeout);
  }

  /** When `slot`'s source was last active, in ms. */
  lastActive(slot: number): number {
    return this.activity.lastActive(slot);
  }

  /** The slot of `source`, or -1 when it is not known: one guess, then the id table. */
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

  /** The source of `slot`: known, or forgotten and not released since. */
  idAt(slot: number): S {
    return this.ids.idAt(slot);
  }

  /** Whether `slot` is given to a known source. */
  inUse(slot: number): boolean {
    return this.slots.i32[I32_PER_SLOT * slot + KIND] !== FREE;
  }

  /** The object of `slot`: a known source's, or a forgotten one's not released since. */
  recordAt(slot: number): R {
    return this.records[slot]!;
  }

  /** The object of `source`, or `undefined` when it is not known. */
  get(source: S): R | undefined {
    const slot = this.slotOf(source);
    return slot < 0 ? undefined : this.records[slot];
  }

  /** Whether `record`'s source is still known (not forgotten, or met again under a newer object). */
  isKnown(record: R): boolean {
    return this.records[record.slot] === record && this.inUse(record.slot);
  }

  /** A new source, which must not be known, active at `now`: its slot (and its object, made, at that slot). */
  add(source: S, now: number): number {
    const slot = this.ids.add(source);
    this.slots.reserve(slot);
    const i32 = this.slots.i32;
    const at = I32_PER_SLOT * slot;
    if (isSsrc(source)) {
      i32[at + KIND] = SSRC;
      i32[at + KEY] = source | 0;
    } else i32[at + KIND] = OTHER;
    i32[at + SUCCESSOR] = -1;
    this.activity.append(slot, now);
    if (this.create !== null) {
      const record = this.create(source);
      record.slot = slot;
      this.records[slot] = record;
    }
    return slot;
  }

  /** `slot`'s source was active at `now`. */
  touch(slot: number, now: number): void {
    this.activity.touch(slot, now);
  }

  /** A `source-added`: the new slot, or -1 (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): number {
    if (this.slotOf(event.source) >= 0) {
      reportDuplicate(this.onInvalid, event);
      return -1;
    }
    return this.add(event.source, now);
  }

  /** A `source-removed`: the slot, forgotten, or -1 (reported) when the source is not known. */
  dismiss(event: { readonly source: S }): number {
    const slot = this.remove(event.source);
    if (slot < 0) reportUnknown(this.onInvalid, event);
    return slot;
  }

  /** Forgets `source` without a word (a stage that passes removals on): the slot it had, or -1. */
  remove(source: S): number {
    const slot = this.slotOf(source);
    if (slot >= 0) this.forget(slot);
    return slot;
  }

  /** The slot of the oldest source silent for `timeout` ms at `now` (rule 5), forgotten; -1 when none is due. */
  nextDue(now: number): number {
    const slot = this.activity.due(now, this.timeout);
    if (slot >= 0) this.forget(slot);
    return slot;
  }

  /** The known slots, oldest activity first. */
  *byActivity(): IterableIterator<number> {
    for (let slot = this.activity.oldest; slot >= 0; slot = this.activity.newer(slot)) yield slot;
  }

  /** One more than the highest slot in use (or forgotten and not released): arrays by slot need this length. */
  get end(): number {
    return this.ids.slots;
  }

  /**
   * Lets go of the sources forgotten since the last release: their ids and objects, and their slots, to be given
   * again; the records shrink as the slots empty ({@link SourceSlots.fit}), and a guess that pointed past them is
   * dropped. What a stage does at the end of the event that forgot them.
   */
  release(): void {
    // Every event ends with a release: one comparison when it forgot no one (small enough to be inlined).
    if (this.forgotten) this.releaseForgotten();
  }

  /** Forgets every source at once and gives the memory back. */
  clear(): void {
    this.ids.clear();
    this.last = -1;
    this.activity.clear();
    this.slots.clear();
    this.records.length = 0;
    this.forgotten = false;
  }

  /** {@link SourceRegistry.release} when some source was forgotten. */
  private releaseForgotten(): void {
    this.forgotten = false;
    const records = this.records;
    if (this.create !== null) {
      const leaving = this.ids.leaving;
      for (let index = 0; index < leaving.length; index++) records[leaving[index]!] = undefined;
    }
    this.ids.release();
    const end = this.ids.slots;
    // V8 gives the array's memory back once less than half of it is used.
    if (records.length > end) records.length = end;
    if (!this.slots.fit(end)) return;
    const i32 = this.slots.i32;
    const size = this.slots.size;
    for (let at = SUCCESSOR; at < I32_PER_SLOT * end; at += I32_PER_SLOT) if (i32[at]! >= size) i32[at] = -1;
  }

  /** Forgets `slot`'s source: unknown at once; its id, its object and its record stay until released. */
  private forget(slot: number): void {
    this.activity.remove(slot);
    this.slots.i32[I32_PER_SLOT * slot + KIND] = FREE;
    if (this.last === slot) this.last = -1;
    this.ids.delete(this.ids.idAt(slot));
    this.forgotten = true;
  }
}
