/**
 * Rule 5, timeouts: a source with no event for `timeout` ms is removed at exactly `last event time + timeout`,
 * several at once oldest activity first, in O(expired); nothing can fall due while no source is known.
 *
 * @module
 */
import { ActivityList } from '../data/activityList.js';
import { SourceSlots } from '../data/sourceSlots.js';

/** The sources of a stage by last activity, by slot, and when they fall due. {@link KnownSlots} adds who they are. */
export class Timeouts {
  /** The per-slot records the activity lives in; the mixer's core keeps its other per-source state there too. */
  readonly slots = new SourceSlots();
  protected readonly activity = new ActivityList(this.slots);

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

  /** When `slot`'s source was last active, in ms. */
  lastActive(slot: number): number {
    return this.activity.lastActive(slot);
  }

  /** The known slots, oldest activity first. */
  *byActivity(): IterableIterator<number> {
    for (let slot = this.activity.oldest; slot >= 0; slot = this.activity.newer(slot)) yield slot;
  }

  /** The oldest slot if its source has been silent for `timeout` ms at `now` (still known), else -1. */
  protected due(now: number): number {
    return this.activity.due(now, this.timeout);
  }
}
