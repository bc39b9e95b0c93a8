import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

interface Timer {
  due: number;
  order: number;
  run: () => void;
  subscription: Subscription;
}

/**
 * A SchedulerLike whose clock moves only when the benchmark says so, so that virtual time costs nothing per event
 * (a VirtualTimeScheduler would need one scheduled action per input event). Timers run in due order on
 * {@link ManualScheduler.advanceTo}.
 */
export class ManualScheduler implements SchedulerLike {
  private time = 0;
  private order = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  /** Timers scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.subscription.closed).length;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay = 0, state?: T): Subscription {
    const subscription = new Subscription();
    const action = Object.assign(subscription, {
      schedule: (nextState?: T, nextDelay = 0): Subscription => this.schedule(work, nextDelay, nextState),
    }) as SchedulerAction<T>;
    this.timers.push({
      due: this.time + delay,
      order: this.order++,
      run: () => {
        work.call(action, state as T);
      },
      subscription,
    });
    return subscription;
  }

  /** Moves the clock to `time`, running every timer due by then in order. */
  advanceTo(time: number): void {
    for (;;) {
      this.timers = this.timers.filter((timer) => !timer.subscription.closed);
      let next: Timer | undefined;
      for (const timer of this.timers) {
        if (
          timer.due <= time &&
          (next === undefined || timer.due < next.due || (timer.due === next.due && timer.order < next.order))
        ) {
          next = timer;
        }
      }
      if (next === undefined) break;
      this.time = Math.max(this.time, next.due);
      next.subscription.unsubscribe();
      next.run();
    }
    this.time = time;
  }
}
