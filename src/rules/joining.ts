import type { Active } from '../data/activityList.js';
import type { InvalidHandler } from '../events/events.js';
import { IdTable } from '../data/idTable.js';
import { SourceRecord } from '../data/sourceRecord.js';
import { reportDuplicate, reportUnknown } from '../events/reports.js';
import { Timeouts } from './timeouts.js';

/**
 * Rules 1 and 3 as every stage that knows sources keeps them: a source joins with its first event (`source-added`,
 * or a packet of an unknown source), leaves with `source-removed` or its timeout ({@link Timeouts}); adding a known
 * source or removing an unknown one is reported and ignored. The one home of those rules, for `SourceTimeouts`,
 * `LoudestSelector`, `AudioMixerCore`, the room, the level normaliser and the cascade.
 */
export class KnownSources<S, R extends Active & { readonly source: S } = SourceRecord<S>> extends Timeouts<R> {
  private readonly ids = new IdTable<S>();
  /** Per slot of `ids`, its record. */
  private readonly records: (R | undefined)[] = [];

  constructor(
    timeout: number,
    private readonly onInvalid: InvalidHandler | undefined,
    private readonly create: (source: S) => R = (source) => new SourceRecord(source) as unknown as R,
  ) {
    super(timeout);
  }

  get size(): number {
    return this.ids.size;
  }

  get(source: S): R | undefined {
    const slot = this.ids.slotOf(source);
    return slot < 0 ? undefined : this.records[slot];
  }

  /** A new source, active at `now`. */
  add(source: S, now: number): R {
    const record = this.create(source);
    this.records[this.ids.add(source)] = record;
    this.activity.append(record, now);
    return record;
  }

  /** `record`'s source was active at `now`. */
  touch(record: R, now: number): void {
    this.activity.touch(record, now);
  }

  /** A `source-added`: the new record, or `null` (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): R | null {
    if (this.ids.slotOf(event.source) >= 0) {
      reportDuplicate(this.onInvalid, event);
      return null;
    }
    return this.add(event.source, now);
  }

  /** A `source-removed`: the record, forgotten, or `null` (reported) when the source is not known. */
  dismiss(event: { readonly source: S }): R | null {
    const record = this.get(event.source);
    if (record === undefined) {
      reportUnknown(this.onInvalid, event);
      return null;
    }
    this.forget(record);
    return record;
  }

  /** The oldest source silent for `timeout` ms at `now`, forgotten; `null` when none is due. */
  nextDue(now: number): R | null {
    const due = this.due(now);
    if (due !== null) this.forget(due);
    return due;
  }

  /** Forgets `source` without a word (a stage that passes removals on); its record, if it was known. */
  remove(source: S): R | undefined {
    const record = this.get(source);
    if (record !== undefined) this.forget(record);
    return record;
  }

  clear(): void {
    this.ids.clear();
    this.records.length = 0;
    this.activity.clear();
  }

  private forget(record: R): void {
    this.records[this.ids.delete(record.source)] = undefined;
    this.activity.remove(record);
  }
}
