import { ActivityList, type Active } from './activityList.js';
import type { InvalidHandler } from './events.js';
import { SourceRecord } from './sourceRecord.js';
import { reportDuplicate, reportUnknown } from './stage.js';

/**
 * The sources a stage knows, by id and by last activity, and the rules for joining, leaving and timing out. Shared
 * by {@link SourceTimeouts} and {@link AudioMixerCore}, so that those rules are written once.
 */
export class KnownSources<S, R extends Active & { readonly source: S } = SourceRecord<S>> {
  private readonly records = new Map<S, R>();
  private readonly activity = new ActivityList<R>();

  constructor(
    private readonly timeout: number,
    private readonly onInvalid: InvalidHandler | undefined,
    private readonly create: (source: S) => R = (source) => new SourceRecord(source) as unknown as R,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** `time`, never earlier than a time seen before (`ActivityList.monotonic`). */
  now(time: number): number {
    return this.activity.monotonic(time);
  }

  get(source: S): R | undefined {
    return this.records.get(source);
  }

  /** A new source, active at `now`. */
  add(source: S, now: number): R {
    const record = this.create(source);
    this.records.set(source, record);
    this.activity.append(record, now);
    return record;
  }

  /** `record`'s source was active at `now`. */
  touch(record: R, now: number): void {
    this.activity.touch(record, now);
  }

  /** A `source-added`: the new record, or `null` (reported) when the source is already known. */
  admit(event: { readonly source: S }, now: number): R | null {
    if (this.records.has(event.source)) {
      reportDuplicate(this.onInvalid, event);
      return null;
    }
    return this.add(event.source, now);
  }

  /** A `source-removed`: the record, forgotten, or `null` (reported) when the source is not known. */
  dismiss(event: { readonly source: S }): R | null {
    const record = this.records.get(event.source);
    if (record === undefined) {
      reportUnknown(this.onInvalid, event);
      return null;
    }
    this.forget(record);
    return record;
  }

  /** When the next source falls due, or `undefined` while none is known. */
  deadline(): number | undefined {
    return this.activity.deadline(this.timeout);
  }

  /** The oldest source silent for `timeout` ms at `now`, forgotten; `null` when none is due. */
  nextDue(now: number): R | null {
    const due = this.activity.due(now, this.timeout);
    if (due !== null) this.forget(due);
    return due;
  }

  /** The latest time seen. */
  get latestTime(): number {
    return this.activity.latestTime;
  }

  /** The known records, oldest activity first. */
  *byActivity(): IterableIterator<R> {
    for (let record = this.activity.oldest; record !== null; record = record.newer) yield record;
  }

  /** Forgets `source` without a word (a stage that passes removals on); its record, if it was known. */
  remove(source: S): R | undefined {
    const record = this.records.get(source);
    if (record !== undefined) this.forget(record);
    return record;
  }

  clear(): void {
    this.records.clear();
    this.activity.clear();
  }

  private forget(record: R): void {
    this.records.delete(record.source);
    this.activity.remove(record);
  }
}
