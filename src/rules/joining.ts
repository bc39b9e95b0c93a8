import type { InvalidHandler } from '../events/events.js';
import { SlotLookup } from '../data/slotLookup.js';
import { reportDuplicate, reportUnknown } from '../events/reports.js';
import { Timeouts } from './timeouts.js';

/**
 * Rules 1 and 3 as every stage that knows sources keeps them: a source joins with its first event (`source-added`,
 * or a packet of an unknown source), leaves with `source-removed` or its timeout ({@link Timeouts}); adding a known
 * source or removing an unknown one is reported and ignored. Each known source has a slot, which {@link SlotLookup}
 * finds; what a stage keeps of it sits by slot, in {@link Timeouts.slots} or in arrays of its own. The one home of
 * those rules, for every stage (through {@link KnownSources} for those that keep an object per source).
 */
export class KnownSlots<S> extends Timeouts {
  private readonly ids = new SlotLookup<S>(this.slots);
  /** Whether a source was forgotten since the last release. */
  private forgotten = false;

  constructor(
    timeout: number,
    private readonly onInvalid: InvalidHandler | undefined,
  ) {
    super(timeout);
  }

  get size(): number {
    return this.ids.size;
  }

  /** The slot of `source`, or -1 when it is not known ({@link SlotLookup}: one guess, then the id table). */
  slotOf(source: S): number {
    return this.ids.slotOf(source);
  }

  /** The source of `slot`: known, or forgotten and not released since. */
  idAt(slot: number): S {
    return this.ids.idAt(slot);
  }

  /** Whether `slot` is given to a known source. */
  inUse(slot: number): boolean {
    return this.ids.inUse(slot);
  }

  /** A new source, active at `now`: its slot. */
  add(source: S, now: number): number {
    const slot = this.ids.add(source);
    this.activity.append(slot, now);
    return slot;
  }

  /** `slot`'s source was active at `now`. */
  touch(slot: number, now: number): void {
    this.activity.touch(slot, now);
  }

  /** A `source-added`: the new slot, or -1 (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): number {
    if (this.ids.slotOf(event.source) >= 0) {
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

  /** The slots forgotten and not released yet. */
  get leaving(): readonly number[] {
    return this.ids.leaving;
  }

  /** One more than the highest slot in use (or forgotten and not released): arrays by slot need this length. */
  get end(): number {
    return this.ids.end;
  }

  /**
   * Lets go of the sources forgotten since the last release: their ids, and their slots, to be given again; the
   * records shrink as the slots empty. What a stage does at the end of the event that forgot them.
   */
  release(): void {
    // Every event ends with a release: one comparison when it forgot no one.
    if (!this.forgotten) return;
    this.forgotten = false;
    this.ids.release();
  }

  clear(): void {
    this.ids.clear();
    this.activity.clear();
    this.slots.clear();
    this.forgotten = false;
  }

  /** Forgets `slot`'s source; its id and what is kept by slot stay until {@link KnownSlots.release}. */
  private forget(slot: number): void {
    this.activity.remove(slot);
    this.ids.delete(slot);
    this.forgotten = true;
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
export class KnownSources<S, R extends Known & { readonly source: S }> {
  readonly slots: KnownSlots<S>;
  /** Per slot, its record (a forgotten one until released). */
  private readonly records: (R | undefined)[] = [];

  constructor(
    timeout: number,
    onInvalid: InvalidHandler | undefined,
    private readonly create: (source: S) => R,
  ) {
    this.slots = new KnownSlots<S>(timeout, onInvalid);
  }

  get size(): number {
    return this.slots.size;
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

  /** The record of `slot`: in use, or forgotten and not released since. */
  recordAt(slot: number): R {
    return this.records[slot]!;
  }

  /** Whether `record`'s source is still known (not forgotten, or met again under a newer record). */
  isKnown(record: R): boolean {
    return this.records[record.slot] === record && this.slots.inUse(record.slot);
  }

  /** A new source, active at `now`. */
  add(source: S, now: number): R {
    return this.recordFor(source, this.slots.add(source, now));
  }

  /** `record`'s source was active at `now`. */
  touch(record: R, now: number): void {
    this.slots.touch(record.slot, now);
  }

  /** A `source-added`: the new record, or `null` (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): R | null {
    const slot = this.slots.admit(event, now);
    return slot < 0 ? null : this.recordFor(event.source, slot);
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

  /** Lets go of the records forgotten since the last release, as {@link KnownSlots.release} does of their ids. */
  release(): void {
    const leaving = this.slots.leaving;
    if (leaving.length === 0) return;
    const records = this.records;
    for (let index = 0; index < leaving.length; index++) records[leaving[index]!] = undefined;
    this.slots.release();
    // V8 gives the array's memory back once less than half of it is used.
    if (records.length > this.slots.end) records.length = this.slots.end;
  }

  clear(): void {
    this.slots.clear();
    this.records.length = 0;
  }

  /** A new record for `source`, just given `slot`. */
  private recordFor(source: S, slot: number): R {
    const record = this.create(source);
    record.slot = slot;
    this.records[slot] = record;
    return record;
  }

  /**
   * The record of `slot`, just forgotten; `null` for -1. It stays at its slot until released, as the slot's id does,
   * so that what is told of the forgotten source (a timeout's unpin) can still find it.
   */
  private take(slot: number): R | null {
    return slot < 0 ? null : this.records[slot]!;
  }
}
