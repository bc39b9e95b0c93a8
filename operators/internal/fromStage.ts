import { Observable, Subscription, type Observer, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Stage } from '../../src/stages/stage.js';

/** The clock of a stage that never looks at the time: reading a real clock per event would be wasted work. */
const timeless: SchedulerLike = {
  now: () => 0,
  schedule: () => {
    throw new Error('rx-audio-mixer: a timeless stage asked for a timer');
  },
};

/**
 * The longest delay a timer is given: Node (and browsers) take a delay of 2^31 ms or more as 1 ms. A deadline further
 * away is reached in steps of this length; each step finds nothing due and re-arms.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** What the timer does: whatever is due. */
function expire(stage: Stage<unknown>, now: number): void {
  stage.expire(now);
}

/** How the input ended, when it ended while the stage was busy. */
type Ending = { readonly error: unknown } | 'complete';

/**
 * The upstream side of one subscription: feeds the stage, keeps its timer, and passes its events on.
 *
 * It is an observer that is also a subscription, so RxJS uses it as the subscriber itself: once downstream
 * unsubscribes it is closed, and a synchronous source (`range`, `from(array)`) sees that and stops at once instead of
 * draining into a dead end.
 *
 * Re-entrancy: an event that a subscriber (or `onInvalid`) pushes into the source while the stage is handling
 * another is queued by the stage ({@link Stage}) and handled right after it. A completion or error that arrives
 * that way waits here until the stage is done, so it comes after every event pushed before it. The timer is armed
 * only once the outermost call has returned, and never after downstream has unsubscribed.
 */
export class StageSubscriber<I, T extends Stage<I> = Stage<I>> extends Subscription implements Observer<I> {
  private stage: T | null;
  private timer: Subscription | null = null;
  private busy = false;
  private ending: Ending | null = null;

  constructor(
    stage: T,
    private readonly scheduler: SchedulerLike,
    /** Told when the input ended, after the stage has released everything. */
    private readonly downstream: { error(error: unknown): void; complete(): void },
  ) {
    super(() => {
      this.stopTimer();
      this.stage = null; // it could be holding a million sources
    });
    this.stage = stage;
  }

  /**
   * Runs `operation` on the stage (a listener joining a room) as the adapter runs an input event: an end that
   * arrives meanwhile waits for it, and the timer is re-armed after it. A failure ends the stage with that error.
   */
  run(operation: (stage: T, now: number) => void): void {
    const stage = this.stage;
    if (stage === null) return;
    if (this.busy) {
      operation(stage, this.scheduler.now()); // the stage queues it behind what it is handling
      return;
    }
    this.busy = true;
    try {
      operation(stage, this.scheduler.now());
    } catch (error) {
      this.busy = false;
      this.finish({ error });
      return;
    }
    this.busy = false;
    this.rearm(stage);
  }

  // The hot path: written out rather than through `run`, which would cost a closure per event.
  next(event: I): void {
    const stage = this.stage;
    if (stage === null) return;
    if (this.busy) {
      stage.push(event, this.scheduler.now()); // queued by the stage, handled once the current call is done
      return;
    }
    this.busy = true;
    try {
      stage.push(event, this.scheduler.now());
    } catch (error) {
      this.busy = false;
      this.finish({ error });
      return;
    }
    this.busy = false;
    this.rearm(stage);
  }

  error(error: unknown): void {
    if (this.stage === null) return;
    if (this.busy) this.ending ??= { error };
    else this.finish({ error });
  }

  complete(): void {
    if (this.stage === null) return;
    if (this.busy) this.ending ??= 'complete';
    else this.finish('complete');
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.run(expire);
  };

  /** After the outermost call: end if the input ended meanwhile, else arm the timer (unless downstream left). */
  private rearm(stage: Stage<I>): void {
    if (this.stage === null) return; // unsubscribed in mid-emission: no timer may outlive it
    if (this.ending !== null) {
      this.finish(this.ending);
      return;
    }
    // The stage's deadline only moves later, so a timer already set fires no later than needed and re-arms.
    const deadline = stage.nextDeadline();
    if (deadline === undefined) this.stopTimer();
    else if (this.timer === null) {
      const delay = Math.min(MAX_TIMER_DELAY, Math.max(0, deadline - this.scheduler.now()));
      this.timer = this.scheduler.schedule(this.onTimer, delay);
    }
  }

  private stopTimer(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }

  // Completion and failure end the stage alike: what is due goes first, then every output is released.
  private finish(ending: Ending): void {
    const stage = this.stage;
    if (stage === null) return;
    this.stopTimer();
    this.stage = null;
    try {
      stage.end(this.scheduler.now());
    } catch (error) {
      this.unsubscribe();
      this.downstream.error(error);
      return;
    }
    this.unsubscribe();
    if (ending === 'complete') this.downstream.complete();
    else this.downstream.error(ending.error);
  }
}

/**
 * Adapts a sans-IO {@link Stage} to an RxJS operator: every operator of the library is built with it, and a stage of
 * your own becomes an operator the same way.
 *
 * Each subscription creates its own stage (`createStage` is called on subscribe, with the `emit` that feeds the
 * subscriber), so no state is shared between subscribers. Each input event is pushed with `scheduler.now()`; the
 * stage's re-entrancy contract ({@link Stage}) holds: an event pushed into the source from a subscriber is handled
 * after the current one. At most one timer runs, scheduled on `scheduler` only while the stage has a deadline
 * ({@link Stage.nextDeadline}) and cancelled on complete, error and unsubscribe. When the input completes or
 * fails, the stage is ended ({@link Stage.end}) before the completion or error is passed on. Without a scheduler the
 * stage is given time 0 and must never have a deadline (a `TimelessStage`); a stage that does throws.
 *
 * ## Example
 * A stage that turns the packets of muted sources into silence, so that they never take an output:
 * ```ts
 * import { Subject } from 'rxjs';
 * import { audioMixer, fromStage, SILENCE, TimelessStage, type SourceEvent } from 'rx-audio-mixer';
 *
 * class Mute extends TimelessStage<SourceEvent> {
 *   constructor(private readonly muted: ReadonlySet<string>, private readonly emit: (event: SourceEvent) => void) {
 *     super();
 *   }
 *   protected handle(event: SourceEvent): void {
 *     this.emit(event.type === 'source-pkt' && this.muted.has(event.source) ? { ...event, level: SILENCE } : event);
 *   }
 * }
 * const room = new Subject<SourceEvent>();
 * room.pipe(fromStage((emit) => new Mute(new Set(['bob']), emit)), audioMixer({ outputs: 1 })).subscribe(console.log);
 * ```
 *
 * @param createStage Builds one stage per subscription, handing what it emits to `emit`.
 * @param scheduler The clock and the timers of a stage that depends on time.
 * @return An operator that feeds its input to a new stage per subscription and emits what the stage emits.
 * @group Operators
 */
export function fromStage<I, O>(
  createStage: (emit: (event: O) => void) => Stage<I>,
  scheduler: SchedulerLike = timeless,
): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const stage = createStage((event) => {
        subscriber.next(event);
      });
      const upstream = new StageSubscriber<I>(stage, scheduler, subscriber);
      subscriber.add(upstream);
      source.subscribe(upstream);
    });
}
