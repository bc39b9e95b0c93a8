/**
 * Rule 5, timeouts: a source with no event for `timeout` ms is removed at exactly `last event time + timeout`,
 * several at once oldest activity first, in O(expired); nothing can fall due while no source is known.
 *
 * @module
 */
import { ActivityList, type Active } from '../data/activityList.js';

/** The sources of a stage by last activity, and when they fall due. {@link KnownSources} adds who they are. */
export class Timeouts<R extends Active> {
  protected readonly activity = new ActivityList<R>();

  constructor(readonly timeout: number) {}

  /** `time`, never earlier than a time seen before (`ActivityList.monotonic`). */
  now(time: number): number {
    return this.activity.monotonic(time);
  }

  /** The latest time seen. */
  get latestTime(): number {
    return this.activity.latestTime;
  }

  /** When the next source falls due, or `undefined` while none is known. */
  deadline(): number | undefined {
    return this.activity.deadline(this.timeout);
  }

  /** The known records, oldest activity first. */
  *byActivity(): IterableIterator<R> {
    for (let record = this.activity.oldest; record !== null; record = record.newer) yield record;
  }

  /** The oldest source if it has been silent for `timeout` ms at `now` (still known), else `null`. */
  protected due(now: number): R | null {
    return this.activity.due(now, this.timeout);
  }
}
