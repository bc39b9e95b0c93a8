import type { InvalidHandler } from '../events/events.js';
import { IdTable, isSsrc } from '../data/idTable.js';
import { FREE, I32_PER_SLOT, KEY, KIND, NEXT_KEY, OTHER, SSRC, SUCCESSOR } from '../data/sourceSlots.js';

/**
 * A short key of `source` for {@link KnownSlots.slotOf}'s guess: an SSRC as an int32; for a string, its length and
 * its last and middle UTF-16 code units; 0 for other ids. Different ids may share a key; the guess checks the id.
 */
function keyOf(source: unknown): number {
  if (isSsrc(source)) return source | 0;
  if (typeof source !== 'string') return 0;
  const length = source.length;
  return length === 0 ? 1 : (length << 20) ^ (source.charCodeAt(length - 1) << 10) ^ source.charCodeAt(length >> 1);
}
import { SourceRecord } from '../data/sourceRecord.js';
import { reportDuplicate, reportUnknown } from '../events/reports.js';
import { Timeouts } from './timeouts.js';

/**
 * Rules 1 and 3 as every stage that knows sources keeps them: a source joins with its first event (`source-added`,
 * or a packet of an unknown source), leaves with `source-removed` or its timeout ({@link Timeouts}); adding a known
 * source or removing an unknown one is reported and ignored. Each known source has a slot ({@link IdTable}); what a
 * stage keeps of it sits by slot, in {@link Timeouts.slots} or in arrays of its own. The one home of those rules,
 * for every stage (through {@link KnownSources} for those that keep an object per source).
 */
export class KnownSlots<S> extends Timeouts {
  private readonly ids = new IdTable<S>();
  /** The slot looked up last, or -1. */
  private last = -1;

  constructor(
    timeout: number,
    private readonly onInvalid: InvalidHandler | undefined,
  ) {
    super(timeout);
  }

  get size(): number {
    return this.ids.size;
  }

  /**
   * The slot of `source`, or -1 when it is not known.
   *
   * Packets come in rounds, each source's every 20 ms or so, and a round's order is mostly the last round's order.
   * So each slot's record remembers which slot was looked up after it, and a short key of that slot's id (the SSRC
   * itself, or a string's length and last characters). When the key matches, that slot is checked (its kind and
   * key, or its id) and taken, without the id table, which costs a cache miss of its own at a million sources. A
   * key that does not match costs nothing but the comparison: the record it is in was read by the packet before.
   */
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

  /** The source of `slot`: known, or forgotten and its slot not given again since. */
  idAt(slot: number): S {
    return this.ids.idAt(slot);
  }

  /** A new source, active at `now`: its slot. */
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

  /** The slot of the oldest source silent for `timeout` ms at `now`, forgotten; `null` when none is due. */
  nextDue(now: number): number | null {
    const slot = this.due(now);
    if (slot < 0) return null;
    this.forget(slot);
    return slot;
  }

  /** Forgets `source` without a word (a stage that passes removals on): the slot it had, or -1. */
  remove(source: S): number {
    const slot = this.ids.slotOf(source);
    if (slot >= 0) this.forget(slot);
    return slot;
  }

  clear(): void {
    this.ids.clear();
    this.activity.clear();
    this.slots.clear();
    this.last = -1;
  }

  /** Forgets `slot`'s source; what is kept by slot stays until the slot is given again. */
  private forget(slot: number): void {
    this.slots.i32[I32_PER_SLOT * slot + KIND] = FREE;
    this.activity.remove(slot);
    this.ids.delete(this.ids.idAt(slot));
  }
}

/** What {@link KnownSources} needs of a record: the slot it gives it. */
export interface Known {
  /** Its slot while its source is known. */
  slot: number;
}

/**
 * {@link KnownSlots} for a stage that keeps an object per source (the room, the level normaliser, the cascade):
 * the same rules, answering with records.
 */
export class KnownSources<S, R extends Known & { readonly source: S } = SourceRecord<S>> {
  readonly slots: KnownSlots<S>;
  /** Per slot, its record. */
  private readonly records: (R | undefined)[] = [];

  constructor(
    timeout: number,
    onInvalid: InvalidHandler | undefined,
    private readonly create: (source: S) => R = (source) => new SourceRecord(source) as unknown as R,
  ) {
    this.slots = new KnownSlots<S>(timeout, onInvalid);
  }

  get size(): number {
    return this.slots.size;
  }

  get timeout(): number {
    return this.slots.timeout;
  }

  get latestTime(): number {
    return this.slots.latestTime;
  }

  now(time: number): number {
    return this.slots.now(time);
  }

  deadline(): number | undefined {
    return this.slots.deadline();
  }

  get(source: S): R | undefined {
    const slot = this.slots.slotOf(source);
    return slot < 0 ? undefined : this.records[slot];
  }

  /** A new source, active at `now`. */
  add(source: S, now: number): R {
    const record = this.create(source);
    record.slot = this.slots.add(source, now);
    this.records[record.slot] = record;
    return record;
  }

  /** `record`'s source was active at `now`. */
  touch(record: R, now: number): void {
    this.slots.touch(record.slot, now);
  }

  /** A `source-added`: the new record, or `null` (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): R | null {
    const slot = this.slots.admit(event, now);
    if (slot < 0) return null;
    const record = this.create(event.source);
    record.slot = slot;
    this.records[slot] = record;
    return record;
  }

  /** A `source-removed`: the record, forgotten, or `null` (reported) when the source is not known. */
  dismiss(event: { readonly source: S }): R | null {
    return this.take(this.slots.dismiss(event));
  }

  /** The oldest source silent for `timeout` ms at `now`, forgotten; `null` when none is due. */
  nextDue(now: number): R | null {
    return this.take(this.slots.nextDue(now) ?? -1);
  }

  /** Forgets `source` without a word (a stage that passes removals on); its record, if it was known. */
  remove(source: S): R | undefined {
    return this.take(this.slots.remove(source)) ?? undefined;
  }

  /** The known records, oldest activity first. */
  *byActivity(): IterableIterator<R> {
    for (const slot of this.slots.byActivity()) yield this.records[slot]!;
  }

  clear(): void {
    this.slots.clear();
    this.records.length = 0;
  }

  /** The record of `slot`, just forgotten, let go; `null` for -1. */
  private take(slot: number): R | null {
    if (slot < 0) return null;
    const record = this.records[slot]!;
    this.records[slot] = undefined;
    return record;
  }
}
