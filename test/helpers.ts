import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { configure } from 'rxjs-marbles';
import { expect } from 'vitest';
import type { OutputEvent, SourceAdded, SourceEvent, SourceRemoved } from 'rx-audio-mixer';

export const { marbles } = configure({
  assertDeepEqual: (actual: unknown, expected: unknown) => {
    expect(actual).toStrictEqual(expected);
  },
  frameworkMatcher: true,
});

/** Source ids are strings and packet data is a string, so that marble values read well. */
export type In = SourceEvent<string, string>;
export type Out = OutputEvent<string, string>;

export const added = (source: string): SourceAdded => ({ type: 'source-added', source });
export const removed = (source: string): SourceRemoved => ({ type: 'source-removed', source });
export const packet = (source: string, level?: number, data = `${source}-data`): In =>
  level === undefined ? { type: 'source-pkt', source, data } : { type: 'source-pkt', source, level, data };

export const pin = (output: number, source: string): Out => ({ type: 'output-pin', output, source });
export const unpin = (output: number, source: string): Out => ({ type: 'output-unpin', output, source });
export const pkt = (output: number, source: string, level: number, data = `${source}-data`): Out => ({
  type: 'output-pkt',
  output,
  source,
  level,
  data,
});

/** A scheduler that delegates to `inner` and counts the actions scheduled through it that have not run or been cancelled. */
export function countingScheduler(inner: SchedulerLike): SchedulerLike & { readonly pending: number } {
  const live = new Set<Subscription>();
  return {
    get pending() {
      return live.size;
    },
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      const action = inner.schedule<T>(function (this: SchedulerAction<T>, value?: T) {
        live.delete(action);
        work.call(this, value);
      }, delay, state);
      live.add(action);
      action.add(() => live.delete(action));
      return action;
    },
  };
}
