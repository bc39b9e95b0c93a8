import { Observable, Subscription, type Observer, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Stage } from '../../src/stage.js';

/**
 * The upstream side of an operator: an observer that is also a subscription, so RxJS uses it as the subscriber
 * itself. Once downstream unsubscribes it is closed, and a synchronous source (`range`, `from(array)`) sees that
 * and stops at once instead of draining into a dead end.
 */
class UpstreamSubscriber<T> extends Subscription implements Observer<T> {
  constructor(private readonly observer: Observer<T>) {
    super();
  }

  next(value: T): void {
    if (!this.closed) this.observer.next(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.observer.error(error);
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    this.observer.complete();
  }
}

/** The clock of a stage that never looks at the time: reading a real clock per event would be wasted work. */
const timeless: SchedulerLike = {
  now: () => 0,
  schedule: () => {
    throw new Error('rx-audio-mixer: a timeless stage asked for a timer');
  },
};

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
      let stage: Stage<I> | null = createStage((event) => {
        subscriber.next(event);
      });
      let timer: Subscription | null = null;

      const stopTimer = (): void => {
        timer?.unsubscribe();
        timer = null;
      };

      // The stage's deadline only moves later, so a timer already set fires no later than needed and re-arms.
      const armTimer = (current: Stage<I>): void => {
        const deadline = current.nextDeadline();
        if (deadline === undefined) stopTimer();
        else timer ??= scheduler.schedule(onTimer, Math.max(0, deadline - scheduler.now()));
      };

      // Whatever fell due at this instant goes first, as it would on complete; then every output is released.
      const fail = (error: unknown): void => {
        stopTimer();
        const current = stage;
        stage = null;
        try {
          current?.expire(scheduler.now());
          current?.abort();
        } finally {
          subscriber.error(error);
        }
      };

      function onTimer(): void {
        timer = null;
        if (stage === null) return;
        try {
          stage.expire(scheduler.now());
          armTimer(stage);
        } catch (error) {
          fail(error);
        }
      }

      const upstream = new UpstreamSubscriber<I>({
        next(event) {
          if (stage === null) return;
          try {
            stage.push(event, scheduler.now());
            armTimer(stage);
          } catch (error) {
            upstream.unsubscribe();
            fail(error);
          }
        },
        error: fail,
        complete() {
          stopTimer();
          const current = stage;
          stage = null;
          try {
            current?.end(scheduler.now());
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.complete();
        },
      });
      subscriber.add(upstream);
      source.subscribe(upstream);

      return () => {
        stopTimer();
        stage = null; // it could be holding a million sources
      };
    });
}
