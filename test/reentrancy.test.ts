// The re-entrancy contract (README, `Stage`): an event pushed into the source while the mixer is handling another is
// queued and handled right after it, in order, exactly as if it had arrived next.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Subject, VirtualTimeScheduler, type Observable, type OperatorFunction } from 'rxjs';
import {
  AudioMixerCore,
  audioMixer,
  pinOutputs,
  selectLoudest,
  timeoutSources,
  trackLevels,
  type AudioMixerOptions,
  type InvalidReport,
  type OutputEvent,
} from 'rx-audio-mixer';
import { added, packet, pin, pkt, removed, unpin, type In, type Out } from './helpers.js';

type Operator = (o: AudioMixerOptions) => OperatorFunction<unknown, unknown>;
const composite: Operator = (o) => audioMixer<unknown, unknown>(o) as OperatorFunction<unknown, unknown>;
const staged: Operator = (o) => (source: Observable<unknown>) =>
  source.pipe(
    timeoutSources<unknown, unknown>(o) as OperatorFunction<unknown, never>,
    trackLevels<unknown, unknown>(o),
    selectLoudest<unknown, unknown>(o),
    pinOutputs<unknown, unknown>(o),
  );
const operators: [string, Operator][] = [
  ['audioMixer', composite],
  ['the staged pipeline', staged],
];

/** Feeds `inputs` one after the other, with no callback pushing anything. */
function sequential(operator: Operator, options: AudioMixerOptions, inputs: unknown[]) {
  const outputs: unknown[] = [];
  const reports: InvalidReport[] = [];
  const room = new Subject<unknown>();
  room.pipe(operator({ ...options, onInvalid: (r) => reports.push(r) })).subscribe((e) => outputs.push(e));
  for (const input of inputs) room.next(input);
  room.complete();
  return { outputs, reports };
}

describe.each(operators)('%s, re-entered', (_name, operator) => {
  it('a source added by a subscriber on the unpin of a takeover waits for the takeover to finish', () => {
    const room = new Subject<unknown>();
    const outputs: unknown[] = [];
    const reports: InvalidReport[] = [];
    room.pipe(operator({ outputs: 1, onInvalid: (r) => reports.push(r) })).subscribe((e) => {
      outputs.push(e);
      const event = e as Out;
      if (event.type === 'output-unpin' && event.source === 'alice') room.next(added('carol'));
    });
    room.next(added('alice'));
    room.next(packet('bob', -10, 'b1'));
    room.next(packet('bob', -10, 'b2'));
    room.complete();
    expect(outputs).toStrictEqual([
      pin(0, 'alice'),
      unpin(0, 'alice'),
      pin(0, 'bob'),
      pkt(0, 'bob', -10, 'b1'),
      pkt(0, 'bob', -10, 'b2'),
      unpin(0, 'bob'),
    ]);
    expect(reports).toStrictEqual([]);
    const inOrder = [added('alice'), packet('bob', -10, 'b1'), added('carol'), packet('bob', -10, 'b2')];
    expect(sequential(operator, { outputs: 1 }, inOrder).outputs).toStrictEqual(outputs);
  });

  it('an onInvalid that removes the offending source removes it for good', () => {
    const room = new Subject<unknown>();
    const outputs: unknown[] = [];
    const reports: string[] = [];
    const onInvalid = (r: InvalidReport) => {
      reports.push(r.reason);
      const event = r.event as In;
      if (r.reason === 'invalid-level') room.next(removed(event.source));
    };
    room.pipe(operator({ outputs: 2, onInvalid })).subscribe((e) => outputs.push(e));
    room.next(packet('x', Number.NaN, 'x1'));
    room.next(added('y'));
    room.next(added('z'));
    room.next(removed('x'));
    room.complete();
    expect(outputs).toStrictEqual([
      pin(0, 'x'),
      pkt(0, 'x', -127, 'x1'),
      unpin(0, 'x'),
      pin(0, 'y'),
      pin(1, 'z'),
      unpin(0, 'y'),
      unpin(1, 'z'),
    ]);
    expect(reports).toStrictEqual(['invalid-level', 'unknown-source']);
  });

  it('a completion pushed from a callback comes after the events pushed before it', () => {
    const room = new Subject<unknown>();
    const outputs: unknown[] = [];
    let completed = false;
    room.pipe(operator({ outputs: 1 })).subscribe({
      next: (e) => {
        outputs.push(e);
        if ((e as Out).type === 'output-pin' && (e as Out).source === 'a') {
          room.next(packet('a', -20, 'a1'));
          room.complete();
        }
      },
      complete: () => (completed = true),
    });
    room.next(added('a'));
    expect(outputs).toStrictEqual([pin(0, 'a'), pkt(0, 'a', -20, 'a1'), unpin(0, 'a')]);
    expect(completed).toBe(true);
  });
});

it('AudioMixerCore queues a push made from inside emit, as the Stage contract says', () => {
  const events: OutputEvent[] = [];
  const core: AudioMixerCore = new AudioMixerCore({ outputs: 1, threshold: 30, timeout: 1000 }, (e) => {
    events.push(e);
    if (e.type === 'output-unpin' && e.source === 'alice') core.push(added('carol'), 5);
  });
  core.push(added('alice'), 0);
  core.push(packet('bob', -10, 'b1') as never, 5);
  core.push(packet('bob', -10, 'b2') as never, 6);
  expect(events.map((e) => `${e.type} ${e.output} ${e.source}`)).toStrictEqual([
    'output-pin 0 alice',
    'output-unpin 0 alice',
    'output-pin 0 bob',
    'output-pkt 0 bob',
    'output-pkt 0 bob',
  ]);
  expect(core.size).toBe(3);
});

// --- The property: random events pushed from random callbacks equal the same events fed afterwards in order. ---

type Event = Record<string, unknown> | 'complete';
const ids = ['a', 'b', 'c', 'd', 'e'];
const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('source-added'), source: fc.constantFrom(...ids) }) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...ids), fc.constantFrom<unknown>(-127, -90, -60, -30, -10, 0, Number.NaN, 5), fc.nat(99))
      .map(([source, level, data]) => ({ type: 'source-pkt', source, level, data })),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('source-removed'), source: fc.constantFrom(...ids) }) },
  { weight: 1, arbitrary: fc.constant<Event>({ type: 'nonsense' }) },
);

/** When the n-th output event (or report) is seen, push these events from inside the callback. */
interface Reaction {
  on: 'output' | 'report';
  at: number;
  push: Event[];
}

const scenario = fc.record({
  outputs: fc.integer({ min: 1, max: 3 }),
  timeout: fc.integer({ min: 1, max: 30 }),
  steps: fc.array(fc.tuple(fc.nat(12), event), { maxLength: 40 }),
  reactions: fc.array(
    fc.record({
      on: fc.constantFrom<'output' | 'report'>('output', 'output', 'report'),
      at: fc.nat(30),
      push: fc.array(fc.oneof({ weight: 20, arbitrary: event }, { weight: 1, arbitrary: fc.constant<Event>('complete') }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    { maxLength: 8 },
  ),
});

interface Fed {
  time: number;
  event: Event;
}

function feed(operator: Operator, outputs: number, timeout: number, inputs: Fed[], reactions: Reaction[]) {
  const scheduler = new VirtualTimeScheduler();
  const room = new Subject<unknown>();
  const log: Fed[] = [];
  const emitted: { time: number; event: unknown }[] = [];
  const reports: { time: number; reason: string }[] = [];
  const push = (e: Event) => {
    log.push({ time: scheduler.now(), event: e });
    if (e === 'complete') room.complete();
    else room.next(e);
  };
  const react = (on: Reaction['on'], index: number) => {
    for (const r of reactions) if (r.on === on && r.at === index) r.push.forEach(push);
  };
  const onInvalid = (r: InvalidReport) => {
    reports.push({ time: scheduler.now(), reason: r.reason });
    react('report', reports.length - 1);
  };
  let ended = false;
  room.pipe(operator({ outputs, timeout, scheduler, onInvalid })).subscribe({
    next: (e) => {
      emitted.push({ time: scheduler.now(), event: e });
      react('output', emitted.length - 1);
    },
    complete: () => (ended = true),
  });
  for (const input of inputs) scheduler.schedule(() => { push(input.event); }, input.time);
  const last = inputs.length === 0 ? 0 : inputs[inputs.length - 1]!.time;
  scheduler.schedule(() => { push('complete'); }, last + 1);
  scheduler.flush();
  expect(ended).toBe(true);
  expect(scheduler.actions.length).toBe(0);
  return { log, emitted, reports };
}

describe.each(operators)('%s: the re-entrancy property', (_name, operator) => {
  it('events pushed from callbacks are handled exactly as the same events fed afterwards in order', () => {
    fc.assert(
      fc.property(scenario, ({ outputs, timeout, steps, reactions }) => {
        let time = 0;
        const inputs = steps.map(([gap, e]) => ({ time: (time += gap), event: e }));
        const reentrant = feed(operator, outputs, timeout, inputs, reactions);
        // The order of the calls to `next` is the order in which the events are handled.
        const afterwards = feed(operator, outputs, timeout, reentrant.log, []);
        expect(afterwards.emitted).toStrictEqual(reentrant.emitted);
        expect(afterwards.reports).toStrictEqual(reentrant.reports);
      }),
      { numRuns: 500 },
    );
  });
});
