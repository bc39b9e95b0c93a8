/**
 * A sans-IO state machine: it takes events and the current time, and hands what follows to the `emit` callback it
 * was built with. No clock, no timer, no RxJS: the operators in `operators/` adapt it to observables.
 *
 * ## Re-entrancy
 * `emit` and `onInvalid` may call back into the stage: a media server reacts to an output event by changing the room.
 * A call to {@link Stage.push}, {@link Stage.expire} or {@link Stage.end} made while the stage is handling another
 * one is queued and handled right after it, in order, with the `now` it was given: exactly as if it had arrived
 * next, once the current call had returned. The outermost call returns only when the queue is empty. If handling
 * throws (an `onInvalid` that throws), the queue is dropped and the error propagates to the outermost caller.
 * {@link Stage.nextDeadline} is a query and always answers at once.
 *
 * @group State machines
 */
export interface Stage<I> {
  /** Takes one input event at time `now` (ms). */
  push(event: I, now: number): void;
  /** The time at which {@link Stage.expire} has something to do, or `undefined` while nothing can time out. */
  nextDeadline(): number | undefined;
  /** Emits what is due at `now` (timeouts). */
  expire(now: number): void;
  /**
   * The input ended at `now`, completed or failed alike: emits what is due, releases every output, and forgets all
   * state.
   */
  end(now: number): void;
}

const PUSH = 0;
const EXPIRE = 1;
const END = 2;
const TASK = 3;

/** A call that arrived while another was being handled. */
interface Queued<I> {
  readonly kind: typeof PUSH | typeof EXPIRE | typeof END | typeof TASK;
  readonly event: I | undefined;
  readonly now: number;
  readonly task?: (() => void) | undefined;
}

/**
 * The one home of the re-entrancy contract stated on {@link Stage}: every state machine of the library extends it
 * and writes its rules in `handle`, `onExpire` and `onEnd`, which are never re-entered.
 */
export abstract class SerialStage<I> implements Stage<I> {
  private handling = false;
  private readonly queue: Queued<I>[] = [];

  /** Handles one input event; never called while another call is being handled. */
  protected abstract handle(event: I, now: number): void;
  /** Emits what is due at `now`; never called while another call is being handled. */
  protected abstract onExpire(now: number): void;
  /** Ends at `now`; never called while another call is being handled. */
  protected abstract onEnd(now: number): void;
  abstract nextDeadline(): number | undefined;

  push(event: I, now: number): void {
    this.call(PUSH, event, now, undefined);
  }

  expire(now: number): void {
    this.call(EXPIRE, undefined, now, undefined);
  }

  end(now: number): void {
    this.call(END, undefined, now, undefined);
  }

  /**
   * Runs `task` under the same contract as a push: at once when nothing is being handled, else queued behind the
   * current call. For a stage's own operations besides push, expire and end (a listener joining a room).
   */
  protected serial(task: () => void): void {
    this.call(TASK, undefined, 0, task);
  }

  /** Handles one call at once, then whatever was queued meanwhile; or queues it, while another is handled. */
  private call(kind: Queued<I>['kind'], event: I | undefined, now: number, task: (() => void) | undefined): void {
    if (this.handling) {
      this.queue.push({ kind, event, now, task });
      return;
    }
    this.handling = true;
    try {
      this.dispatch(kind, event, now, task);
      if (this.queue.length !== 0) this.drain();
    } catch (error) {
      this.queue.length = 0;
      throw error;
    } finally {
      this.handling = false;
    }
  }

  private drain(): void {
    // A queued call may queue more: take them one at a time, in order.
    for (let call = this.queue.shift(); call !== undefined; call = this.queue.shift()) {
      this.dispatch(call.kind, call.event, call.now, call.task);
    }
  }

  private dispatch(kind: Queued<I>['kind'], event: I | undefined, now: number, task: (() => void) | undefined): void {
    if (kind === PUSH) this.handle(event as I, now);
    else if (kind === EXPIRE) this.onExpire(now);
    else if (kind === END) this.onEnd(now);
    else task!();
  }
}

/**
 * A stage that does not depend on time: no deadlines and nothing to expire. Subclasses that hold nothing inherit a
 * no-op end.
 *
 * @group State machines
 */
export abstract class TimelessStage<I> extends SerialStage<I> {
  nextDeadline(): undefined {
    return undefined;
  }

  protected onExpire(): void {
    // Nothing here depends on time.
  }

  protected onEnd(): void {
    // Nothing held.
  }
}
