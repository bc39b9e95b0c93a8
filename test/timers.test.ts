// Every timer ends on complete, error and unsubscribe, including an unsubscribe in the middle of an emission; a very
// long timeout does not make the clock spin.
import { describe, expect, it } from 'vitest';
import {
  asyncScheduler,
  first,
  firstValueFrom,
  map,
  Subject,
  take,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels, type AudioMixerOptions } from 'rx-audio-mixer';
import { ManualScheduler } from '../bench/manualScheduler.js';
import { added, countingScheduler, packet, type In, type Out } from './helpers.js';

const MAX_DELAY = 2 ** 31 - 1;

/** The Node timers alive now (vitest's own included, so compare before and after). */
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

const staged = (o: AudioMixerOptions): OperatorFunction<In, Out> => (source) =>
  source.pipe(timeoutSources(o), trackLevels(o), selectLoudest(o), pinOutputs(o));

describe('unsubscribing in the middle of an emission leaves no timer', () => {
  const cuts: [string, OperatorFunction<Out, unknown>][] = [
    ['take(1)', take(1)],
    ['first()', first()],
    [
      'a downstream map that throws',
      map(() => {
        throw new Error('downstream failed');
      }),
    ],
  ];
  for (const [name, cut] of cuts) {
    for (const [kind, mixer] of [
      ['audioMixer', (o: AudioMixerOptions) => audioMixer<string, string>(o)],
      ['the staged pipeline', staged],
    ] as const) {
      it(`${kind}, ${name}`, () => {
        const scheduler = countingScheduler(asyncScheduler);
        const room = new Subject<In>();
        const errors: unknown[] = [];
        room.pipe(mixer({ outputs: 1, timeout: 5000, scheduler }), cut).subscribe({ error: (e) => errors.push(e) });
        room.next(added('alice'));
        expect(room.observed).toBe(false);
        expect(scheduler.pending).toBe(0);
        expect(errors.length).toBe(name.includes('throws') ? 1 : 0);
      });
    }
  }

  it('firstValueFrom on the real clock: the process keeps no timer once it resolved', async () => {
    const before = liveTimers();
    const room = new Subject<In>();
    const firstPin = firstValueFrom(room.pipe(audioMixer({ outputs: 1, timeout: 5000 })));
    room.next(added('alice'));
    await expect(firstPin).resolves.toStrictEqual({ type: 'output-pin', output: 0, source: 'alice' });
    expect(liveTimers()).toBe(before);
  });

  it('the staged pipeline: an onInvalid that throws inside trackLevels leaves no timer in timeoutSources', () => {
    const scheduler = countingScheduler(asyncScheduler);
    const before = liveTimers();
    const room = new Subject<In>();
    const errors: unknown[] = [];
    const o = { outputs: 1, timeout: 5000, scheduler };
    const strict = {
      ...o,
      onInvalid: () => {
        throw new Error('no bad levels here');
      },
    };
    room.pipe(timeoutSources(o), trackLevels(strict), selectLoudest(o), pinOutputs(o)).subscribe({
      error: (e) => errors.push(e),
    });
    room.next(packet('alice', Number.NaN));
    expect(errors.length).toBe(1);
    expect(scheduler.pending).toBe(0);
    expect(liveTimers()).toBe(before);
    expect(room.observed).toBe(false);
  });
});

describe('a timeout beyond what a timer can wait', () => {
  it('is reached in capped steps, and the source times out at exactly its time', () => {
    const manual = new ManualScheduler();
    const delays: number[] = [];
    const scheduler: SchedulerLike = {
      now: () => manual.now(),
      schedule: (work, delay, state) => {
        delays.push(delay ?? 0);
        return manual.schedule(work, delay, state);
      },
    };
    const timeout = 5e9;
    const seen: { time: number; event: Out }[] = [];
    const room = new Subject<In>();
    room.pipe(audioMixer<string, string>({ outputs: 1, timeout, scheduler })).subscribe((event) => {
      seen.push({ time: manual.now(), event });
    });
    room.next(added('alice'));
    manual.advanceTo(timeout - 1);
    expect(seen.map((s) => s.event.type)).toStrictEqual(['output-pin']);
    manual.advanceTo(timeout);
    expect(seen).toStrictEqual([
      { time: 0, event: { type: 'output-pin', output: 0, source: 'alice' } },
      { time: timeout, event: { type: 'output-unpin', output: 0, source: 'alice' } },
    ]);
    expect(delays.every((d) => d <= MAX_DELAY)).toBe(true);
    expect(delays.length).toBe(Math.ceil(timeout / MAX_DELAY));
    expect(manual.pending).toBe(0);
  });

  it('on the real clock, a timeout of 1e12 ms arms one timer and no TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const scheduler = countingScheduler(asyncScheduler);
      let armed = 0;
      const counting: SchedulerLike = {
        now: () => scheduler.now(),
        schedule: (work, delay, state) => {
          armed += 1;
          return scheduler.schedule(work as never, delay, state);
        },
      };
      const room = new Subject<In>();
      const subscription = room.pipe(audioMixer({ outputs: 1, timeout: 1e12, scheduler: counting })).subscribe();
      room.next(added('alice'));
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(armed).toBe(1);
      expect(scheduler.pending).toBe(1);
      subscription.unsubscribe();
      expect(scheduler.pending).toBe(0);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
