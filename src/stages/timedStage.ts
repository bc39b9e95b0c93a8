/**
 * Rule 6, order: sources that fall due at the instant of an input are removed before it is handled, whether the
 * timer or the input came first; and rule 7's "what is due first" at the end. Written once, as the skeleton every
 * stage that times sources out extends.
 *
 * @module
 */
import type { Known, SourceRegistry } from '../rules/sourceRegistry.js';
import { StampClock } from '../rules/ties.js';
import { SerialStage } from './stage.js';

/**
 * The skeleton of a stage that times sources out, in one pass per event: the time made monotonic and told to the
 * stage's selections ({@link TimedStage.clock}), what is due removed (each source handed to
 * {@link TimedStage.timedOut}, oldest activity first), then the input itself ({@link TimedStage.handleAt}), then
 * what the sources that left kept let go of; at the end, what is due first, then {@link TimedStage.release}, then
 * every source forgotten. Its deadline is that of the oldest source ({@link SourceRegistry.deadline}).
 */
export abstract class TimedStage<I, S, R extends Known = Known> extends SerialStage<I> {
  /**
   * The stage's sources: who is known, by slot, and when each falls due.
   * @internal
   */
  protected readonly sources: SourceRegistry<S, R>;
  /**
   * The clock every selection of the stage reads: its `now` is the time of the event being handled (the minimum
   * hold), set before what is due is removed.
   * @internal
   */
  protected readonly clock = new StampClock();

  constructor(sources: SourceRegistry<S, R>) {
    super();
    this.sources = sources;
  }

  /** How many sources are known. */
  get size(): number {
    return this.sources.size;
  }

  /** Handles `event` at `now`, after what was due at `now` has been removed. */
  protected abstract handleAt(event: I, now: number): void;

  /**
   * The source of `slot` timed out and is forgotten already (rule 5): what follows from it. The slot is not given
   * again before the event ends, so what is kept by it (its id, its object) can still be read.
   */
  protected abstract timedOut(slot: number): void;

  /** The end, after what was due (rule 7): releases what the stage holds. */
  protected release(): void {
    // Nothing held by default.
  }

  protected handle(event: I, time: number): void {
    const now = this.dueAt(time);
    this.handleAt(event, now);
    this.sources.release();
  }

  nextDeadline(): number | undefined {
    return this.sources.deadline();
  }

  protected onExpire(time: number): void {
    this.dueAt(time);
  }

  protected onEnd(time: number): void {
    this.dueAt(time);
    this.release();
    this.sources.clear();
  }

  /** The first steps of every call: `time` made monotonic and told to the clock, then what is due removed. */
  private dueAt(time: number): number {
    const now = this.clockAt(time);
    this.expireDue(now);
    return now;
  }

  /**
   * `time` made monotonic (the registry's `now`) and told to the clock; returns it.
   * @internal
   */
  protected clockAt(time: number): number {
    const now = this.sources.now(time);
    this.clock.now = now;
    return now;
  }

  /**
   * Removes every source due at `now`, oldest activity first, O(expired), and lets go of what they kept. A stage
   * with more that times out (the room's views) adds it here.
   */
  protected expireDue(now: number): void {
    const sources = this.sources;
    for (let slot = sources.nextDue(now); slot >= 0; slot = sources.nextDue(now)) this.timedOut(slot);
    sources.release();
  }
}
