/** What `ActivityList` needs to know of a source. */
export interface Active {
  /** Time of the source's last event, in ms. */
  lastActive: number;
  older: this | null;
  newer: this | null;
}

/**
 * Sources ordered by last activity, oldest first. Time only moves forward, so moving a source to the newest end on
 * every event keeps the list sorted: a touch is O(1), and the sources due to time out are always at the oldest end,
 * so finding them costs O(expired).
 */
export class ActivityList<R extends Active> {
  oldest: R | null = null;
  private newest: R | null = null;
  private latest = -Infinity;

  /**
   * `now`, or the latest time seen if `now` is earlier. A wall clock can step back (an NTP correction); the list
   * must stay sorted, so a source is never timed out early, only, after such a step, a little late.
   */
  monotonic(now: number): number {
    if (now > this.latest) this.latest = now;
    return this.latest;
  }

  /** The latest time seen ({@link ActivityList.monotonic}); a copy of the list takes it over. */
  get latestTime(): number {
    return this.latest;
  }

  set latestTime(time: number) {
    this.latest = time;
  }

  /** When the oldest source falls silent for `timeout` ms, or `undefined` when the list is empty. */
  deadline(timeout: number): number | undefined {
    return this.oldest === null ? undefined : this.oldest.lastActive + timeout;
  }

  /** The oldest source if it has been silent for `timeout` ms at `now`, else `null`. */
  due(now: number, timeout: number): R | null {
    const oldest = this.oldest;
    return oldest !== null && oldest.lastActive + timeout <= now ? oldest : null;
  }

  /**
   * Hands every source silent for `timeout` ms at `now` to `remove`, oldest first: O(expired). `remove` must take it
   * out of the list (and may emit what its removal causes).
   */
  expireDue(now: number, timeout: number, remove: (record: R) => void): void {
    for (let due = this.due(now, timeout); due !== null; due = this.due(now, timeout)) remove(due);
  }

  /** Adds `record`, active at `now`. */
  append(record: R, now: number): void {
    record.lastActive = now;
    record.older = this.newest;
    record.newer = null;
    if (this.newest === null) this.oldest = record;
    else this.newest.newer = record;
    this.newest = record;
  }

  /** Marks `record` active at `now`. */
  touch(record: R, now: number): void {
    if (record === this.newest) {
      record.lastActive = now;
      return;
    }
    this.remove(record);
    this.append(record, now);
  }

  remove(record: R): void {
    if (record.older === null) this.oldest = record.newer;
    else record.older.newer = record.newer;
    if (record.newer === null) this.newest = record.older;
    else record.newer.older = record.older;
    record.older = record.newer = null;
  }

  clear(): void {
    this.oldest = this.newest = null;
  }
}
