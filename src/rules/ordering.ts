/**
 * Rule 6, order: sources that fall due at the instant of an input are removed before it is handled, whether the
 * timer or the input came first; and rule 7's "what is due first" at the end. Written once, as the skeleton every
 * stage that times sources out extends.
 *
 * @module
 */
import type { Active } from '../data/activityList.js';
import { SerialStage } from '../stages/stage.js';
import type { KnownSources } from './joining.js';

/**
 * The skeleton of a stage that times sources out: the time made monotonic, what is due removed first (each source
 * handed to {@link TimedStage.timedOut}, oldest activity first), then the input itself
 * ({@link TimedStage.handleAt}); at the end, what is due first, then {@link TimedStage.release}, then every source
 * forgotten. Its deadline is that of the oldest source.
 */
export abstract class TimedStage<I, S, R extends Active & { readonly source: S }> extends SerialStage<I> {
  /** @internal */
  protected readonly known: KnownSources<S, R>;

  constructor(known: KnownSources<S, R>) {
    super();
    this.known = known;
  }

  /** How many sources are known. */
  get size(): number {
    return this.known.size;
  }

  /** Handles `event` at `now`, after what was due at `now` has been removed. */
  protected abstract handleAt(event: I, now: number): void;

  /** `record` timed out at `now` and is forgotten already (rule 5): what follows from it. */
  protected abstract timedOut(record: R, now: number): void;

  /** Told the time before anything is handled at it (the minimum hold reads it). */
  protected atTime(_now: number): void {
    // No selection to tell by default.
  }

  /** After the sources due at `now` have been removed, before the input (the room's views time out their own). */
  protected expired(_now: number): void {
    // Nothing else times out by default.
  }

  /** The end, after what was due (rule 7): releases what the stage holds. */
  protected release(): void {
    // Nothing held by default.
  }

  protected handle(event: I, time: number): void {
    const now = this.known.now(time);
    this.atTime(now);
    this.expireDue(now);
    this.handleAt(event, now);
  }

  nextDeadline(): number | undefined {
    return this.known.deadline();
  }

  protected onExpire(time: number): void {
    const now = this.known.now(time);
    this.atTime(now);
    this.expireDue(now);
  }

  protected onEnd(time: number): void {
    const now = this.known.now(time);
    this.atTime(now);
    this.expireDue(now);
    this.release();
    this.known.clear();
  }

  /** Removes every source due at `now`, oldest activity first: O(expired). */
  protected expireDue(now: number): void {
    for (let due = this.known.nextDue(now); due !== null; due = this.known.nextDue(now)) this.timedOut(due, now);
    this.expired(now);
  }
}
