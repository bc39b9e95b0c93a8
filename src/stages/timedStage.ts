/**
 * Rule 6, order: sources that fall due at the instant of an input are removed before it is handled, whether the
 * timer or the input came first; and rule 7's "what is due first" at the end. Written once, as the skeleton every
 * stage that times sources out extends.
 *
 * @module
 */
import { SerialStage } from './stage.js';

/**
 * What the skeleton needs of a stage's known sources: `KnownSlots` (each source a slot, `R` a number) or
 * `KnownSources` (each an object).
 */
export interface TimedSources<R> {
  readonly size: number;
  /** `time`, never earlier than a time seen before. */
  now(time: number): number;
  /** When the next source falls due, or `undefined` while none is known. */
  deadline(): number | undefined;
  /** The oldest source silent for the timeout at `now`, forgotten; `null` when none is due. */
  nextDue(now: number): R | null;
  /** Lets go of what it keeps of the sources forgotten since the last release (their ids, their records). */
  release(): void;
  clear(): void;
}

/**
 * The skeleton of a stage that times sources out: the time made monotonic, what is due removed first (each source
 * handed to {@link TimedStage.timedOut}, oldest activity first), then the input itself
 * ({@link TimedStage.handleAt}); at the end, what is due first, then {@link TimedStage.release}, then every source
 * forgotten. Its deadline is that of the oldest source. What it kept of a source that left (timed out or removed) is
 * let go of once the event that forgot it has been handled, so that a room that empties gives its memory back.
 */
export abstract class TimedStage<I, R, K extends TimedSources<R>> extends SerialStage<I> {
  /** @internal */
  protected readonly known: K;

  constructor(known: K) {
    super();
    this.known = known;
  }

  /** How many sources are known. */
  get size(): number {
    return this.known.size;
  }

  /** Handles `event` at `now`, after what was due at `now` has been removed. */
  protected abstract handleAt(event: I, now: number): void;

  /**
   * `record` (a slot, or an object) timed out at `now` and is forgotten already (rule 5): what follows from it. A
   * slot is not given again before this returns (nor before {@link TimedStage.expired}), so what is kept by it can
   * still be read.
   */
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
    this.known.release();
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
    this.known.release();
  }
}
