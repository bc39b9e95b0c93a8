import {
  Observable,
  Subscription,
  type Observer,
  type OperatorFunction,
  type SchedulerLike,
  type Subscriber,
} from 'rxjs';
import type { Stage } from '../../src/stage.js';

/** The clock of a stage that never looks at the time: reading a real clock per event would be wasted work. */
const timeless: SchedulerLike = {
  now: () => 0,
  schedule: () => {
    throw new Error('rx-audio-mixer: a timeless stage asked for a timer');
  },
};

/**
 * The upstream side of one subscription: feeds the stage, keeps its timer, and passes its events on.
 *
 * It is an observer that is also a subscription, so RxJS uses it as the subscriber itself: once downstream
 * unsubscribes it is closed, and a synchronous source (`range`, `from(array)`) sees that and stops at once instead of
 * draining into a dead end.
 */
class StageSubscriber<I, O> extends Subscription implements Observer<I> {
  private stage: Stage<I> | null;
  private timer: Subscription | null = null;

  constructor(
    createStage: (emit: (event: O) => void) => Stage<I>,
    private readonly scheduler: SchedulerLike,
    private readonly downstream: Subscriber<O>,
  ) {
    super(() => {
      this.stopTimer();
      this.stage = null; // it could be holding a million sources
    });
    this.stage = createStage((event) => {
      downstream.next(event);
    });
  }

  next(event: I): void {
    const stage = this.stage;
    if (stage === null) return;
    try {
      stage.push(event, this.scheduler.now());
      this.armTimer(stage);
    } catch (error) {
      this.fail(error);
    }
  }

  error(error: unknown): void {
    if (this.stage !== null) this.fail(error);
  }

  complete(): void {
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
    this.downstream.complete();
  }

  // The stage's deadline only moves later, so a timer already set fires no later than needed and re-arms.
  private armTimer(stage: Stage<I>): void {
    const deadline = stage.nextDeadline();
    if (deadline === undefined) this.stopTimer();
    else this.timer ??= this.scheduler.schedule(this.onTimer, Math.max(0, deadline - this.scheduler.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    const stage = this.stage;
    if (stage === null) return;
    try {
      stage.expire(this.scheduler.now());
      this.armTimer(stage);
    } catch (error) {
      this.fail(error);
    }
  };

  private stopTimer(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }

  // A failure ends the stage as completion does: what is due goes first, then every output is released.
  private fail(error: unknown): void {
    const stage = this.stage;
    this.stopTimer();
    this.stage = null;
    this.unsubscribe();
    try {
      stage?.end(this.scheduler.now());
    } finally {
      this.downstream.error(error);
    }
  }
}

/**
 * Adapts a sans-IO {@link Stage} to an RxJS operator: a new stage for every subscription, time from `scheduler`,
 * and at most one timer, scheduled only while the stage has a deadline and cancelled on complete, error and
 * unsubscribe. Without a scheduler the stage is given time 0 and must never have a deadline.
 */
export function fromStage<I, O>(
  createStage: (emit: (event: O) => void) => Stage<I>,
  scheduler: SchedulerLike = timeless,
): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const upstream = new StageSubscriber<I, O>(createStage, scheduler, subscriber);
      subscriber.add(upstream);
      source.subscribe(upstream);
    });
}
