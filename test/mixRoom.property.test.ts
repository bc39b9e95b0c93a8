// mixRoom against its definition, with audioMixer's own state machine as the model: a listener that joins at t
// receives a pin for each output held right after "the room's events before t, then source-removed for each source
// it does not hear (unpinned first, then pinned in ascending output order)", then everything that machine emits fed
// the heard events after t; a follow change at t' feeds source-removed for the sources that left the set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BehaviorSubject, Observable, Subject, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { AudioMixerCore, mixRoom, type InvalidReport, type SourceEvent } from 'rx-audio-mixer';

type Event = Record<string, unknown> | null;
const smallRoom = ['a', 'b', 'c', 'd', 'e'];

const level = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(-127, -100, -80, -60, -40, -30, -20, -10, 0) },
  { weight: 2, arbitrary: fc.integer({ min: -127, max: 0 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, Number.NaN, 7) },
);
const eventIn = (ids: string[]): fc.Arbitrary<Event> => fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('source-added'), source: fc.constantFrom(...ids) }) },
  {
    weight: 10,
    arbitrary: fc
      .tuple(fc.constantFrom(...ids), level, fc.nat(99))
      .map(([source, l, data]) =>
        l === undefined ? { type: 'source-pkt', source, data } : { type: 'source-pkt', source, level: l, data },
      ),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('source-removed'), source: fc.constantFrom(...ids) }) },
  { weight: 1, arbitrary: fc.constant<Event>({ type: 'nonsense' }) },
);
const subset = fc.subarray(smallRoom);

interface ListenerPlan {
  join: number;
  /** Frames after joining; undefined: stays to the end. */
  stay: number | undefined;
  exclude: string[];
  /** undefined: no follow. Otherwise the set emitted at subscription (or none), and later changes. */
  follow: { initial: string[] | undefined; changes: [number, string[]][] } | undefined;
}

const listenerPlan: fc.Arbitrary<ListenerPlan> = fc.record({
  join: fc.nat(60),
  stay: fc.option(fc.nat(60), { nil: undefined }),
  exclude: fc.oneof(fc.constant<string[]>([]), subset),
  follow: fc.option(
    fc.record({
      initial: fc.option(subset, { nil: undefined }),
      changes: fc.array(fc.tuple(fc.nat(40), subset), { maxLength: 3 }),
    }),
    { nil: undefined, freq: 2 },
  ),
});

/** The mixer's options of a scenario; `timeout` ranges over `min..max` ms. */
const mixerOptions = (min: number, max: number) => ({
  outputs: fc.integer({ min: 1, max: 3 }),
  threshold: fc.constantFrom(0, 10, 30),
  timeout: fc.integer({ min, max }),
  minHold: fc.constantFrom(0, 0, 4),
});

const scenario = fc.record({
  ids: fc.constant(smallRoom),
  ...mixerOptions(2, 30),
  steps: fc.array(fc.tuple(fc.nat(6), eventIn(smallRoom)), { maxLength: 45 }),
  listeners: fc.array(listenerPlan, { minLength: 1, maxLength: 4 }),
});

// A room where everyone speaks and listens, excluding their own source: the listeners whose source the room pins
// keep views of their own, kept as their difference from the shared view.
const bigRoom = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const everyoneListens = fc.record({
  ids: fc.constant(bigRoom),
  ...mixerOptions(3, 40),
  steps: fc.array(fc.tuple(fc.nat(3), eventIn(bigRoom)), { minLength: 20, maxLength: 120 }),
  listeners: fc.array(
    fc.record({
      join: fc.nat(40),
      stay: fc.option(fc.nat(200), { nil: undefined, freq: 3 }),
      exclude: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...bigRoom).map((own) => [own]) },
        { weight: 1, arbitrary: fc.subarray(bigRoom, { maxLength: 3 }) },
      ),
      follow: fc.constant(undefined),
    }),
    { minLength: 2, maxLength: 8 },
  ),
});

// A room whose listeners follow sets of sources from the start and stay long: each keeps a view of its own, a copy
// of the shared view fed only what it follows, with its own timeouts.
const followers = fc.record({
  ids: fc.constant(smallRoom),
  ...mixerOptions(2, 30),
  steps: fc.array(fc.tuple(fc.nat(4), eventIn(smallRoom)), { minLength: 20, maxLength: 100 }),
  listeners: fc.array(
    fc.record({
      join: fc.nat(10),
      stay: fc.option(fc.nat(300), { nil: undefined, freq: 4 }),
      exclude: fc.oneof(fc.constant<string[]>([]), fc.constantFrom(...smallRoom).map((own) => [own])),
      follow: fc.record({
        initial: subset.map((set): string[] | undefined => set),
        changes: fc.array(fc.tuple(fc.nat(60), subset), { maxLength: 4 }),
      }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type Timed = { time: number; event: unknown };

/** AudioMixerCore driven as the operator drives it: timers fire at their deadlines. */
class Driver {
  readonly emitted: Timed[] = [];
  readonly reports: string[] = [];
  readonly pinned = new Map<number, unknown>();
  recording = true;
  private readonly core: AudioMixerCore<unknown, unknown>;
  private time = 0;

  constructor(options: { outputs: number; threshold: number; timeout: number; minHold: number }) {
    this.core = new AudioMixerCore<unknown, unknown>(
      { ...options, onInvalid: (r: InvalidReport) => this.reports.push(r.reason) },
      (e) => {
        if (e.type === 'output-pin') this.pinned.set(e.output, e.source);
        if (e.type === 'output-unpin') this.pinned.delete(e.output);
        if (this.recording) this.emitted.push({ time: this.time, event: e });
      },
    );
  }

  advance(time: number): void {
    for (let due = this.core.nextDeadline(); due !== undefined && due < time; due = this.core.nextDeadline()) {
      this.time = due;
      this.core.expire(due);
    }
    this.time = time;
  }

  push(time: number, e: unknown): void {
    this.advance(time);
    this.core.push(e as SourceEvent<unknown, unknown>, time);
  }

  /** source-removed for each of `sources` it may know: unpinned first, then pinned in ascending output order. */
  forget(time: number, sources: string[]): void {
    this.advance(time); // what fell due before goes first: the pins are those left after it
    const pinnedOutputs = [...this.pinned.entries()].filter(([, s]) => sources.includes(s as string)).sort((x, y) => x[0] - y[0]);
    const pinnedSources = pinnedOutputs.map(([, s]) => s as string);
    const recording = this.recording;
    const reports = this.reports.length;
    for (const source of [...sources.filter((s) => !pinnedSources.includes(s)), ...pinnedSources]) {
      this.push(time, { type: 'source-removed', source });
    }
    this.reports.length = reports; // removals of sources it does not know are the model's own doing
    this.recording = recording;
  }

  end(time: number): void {
    this.advance(time);
    this.core.end(time);
  }
}

interface Logged {
  time: number;
  event: Event;
  epoch: number;
}

function runScenario(s: Scenario) {
  const scheduler = new VirtualTimeScheduler();
  const subject = new Subject<Event>();
  const reports: string[] = [];
  const room = mixRoom(subject as unknown as Observable<SourceEvent<unknown, unknown>>, {
    outputs: s.outputs,
    threshold: s.threshold,
    timeout: s.timeout,
    minHold: s.minHold,
    scheduler,
    onInvalid: (r) => reports.push(r.reason),
  });
  const log: Logged[] = [];
  let epoch = 0;
  let time = 0;
  const inputs = s.steps.map(([gap, e]) => ({ time: (time += gap), event: e }));
  const end = time + 1;
  for (const input of inputs) {
    scheduler.schedule(() => {
      log.push({ ...input, epoch: subject.observed ? epoch : -1 });
      subject.next(input.event);
    }, input.time);
  }
  scheduler.schedule(() => {
    subject.complete();
  }, end);

  const results = s.listeners.map((plan) => {
    const joinAt = Math.min(plan.join, end - 1) + 0.5;
    const result = {
      plan,
      joinAt,
      leaveAt: plan.stay === undefined ? undefined : joinAt + plan.stay,
      received: [] as Timed[],
      joinIndex: 0,
      epoch: 0,
      followTimes: [] as [number, string[]][],
      done: false,
    };
    let subscription: Subscription | undefined;
    scheduler.schedule(() => {
      if (!subject.observed) epoch++;
      result.epoch = epoch;
      result.joinIndex = log.length;
      let follow: Observable<string[]> | undefined;
      if (plan.follow !== undefined) {
        const changes = new Subject<string[]>();
        follow = changes;
        if (plan.follow.initial !== undefined) {
          // A set emitted synchronously on subscription.
          const initial = new BehaviorSubject<string[]>(plan.follow.initial);
          changes.subscribe(initial);
          follow = initial;
        }
        for (const [after, set] of plan.follow.changes) {
          const at = joinAt + after + 0.25;
          result.followTimes.push([at, set]);
          scheduler.schedule(() => {
            changes.next(set);
          }, at - joinAt);
        }
      }
      subscription = room
        .listen(follow === undefined ? { exclude: plan.exclude } : { exclude: plan.exclude, follow })
        .subscribe({
          next: (e) => result.received.push({ time: scheduler.now(), event: e }),
          complete: () => (result.done = true),
        });
    }, joinAt);
    if (result.leaveAt !== undefined) {
      scheduler.schedule(() => subscription?.unsubscribe(), result.leaveAt);
    }
    return result;
  });
  scheduler.flush();
  expect(scheduler.actions.length, 'no timer left behind').toBe(0);
  return { log, reports, results, end };
}

/** What the definition says a listener receives. */
function expected(s: Scenario, log: Logged[], r: ReturnType<typeof runScenario>['results'][number], end: number): Timed[] {
  const options = { outputs: s.outputs, threshold: s.threshold, timeout: s.timeout, minHold: s.minHold };
  const model = new Driver(options);
  const plan = r.plan;
  let followed: string[] | undefined = plan.follow === undefined ? undefined : (plan.follow.initial ?? []);
  const hears = (source: string) => !plan.exclude.includes(source) && (followed === undefined || followed.includes(source));
  const epochEvents = log.map((entry, index) => ({ ...entry, index })).filter((entry) => entry.epoch === r.epoch);
  model.recording = false;
  for (const entry of epochEvents) if (entry.index < r.joinIndex) model.push(entry.time, entry.event);
  model.advance(r.joinAt);
  const ids = s.ids;
  model.forget(r.joinAt, ids.filter((source) => !hears(source)));
  const out: Timed[] = [...model.pinned.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([output, source]) => ({ time: r.joinAt, event: { type: 'output-pin', output, source } }));
  model.recording = true;
  const leaveAt = r.leaveAt ?? Infinity;
  const after = epochEvents.filter((entry) => entry.index >= r.joinIndex && entry.time < leaveAt);
  const changes = r.followTimes.filter(([at]) => at < leaveAt).sort((x, y) => x[0] - y[0]);
  let next = 0;
  for (const entry of after) {
    while (next < changes.length && changes[next]![0] < entry.time) {
      const [at, set] = changes[next++]!;
      const left = ids.filter((source) => hears(source) && !(!plan.exclude.includes(source) && set.includes(source)));
      followed = set;
      model.forget(at, left);
    }
    const e = entry.event as { source?: unknown } | null;
    const source = e !== null && typeof e === 'object' ? e.source : undefined;
    if (typeof source === 'string' && hears(source)) model.push(entry.time, entry.event);
    else if (typeof source !== 'string') {
      // Not a source event: no source to hear, reported by the room only.
    }
  }
  while (next < changes.length) {
    const [at, set] = changes[next++]!;
    if (at >= end) break;
    const left = ids.filter((source) => hears(source) && !(!plan.exclude.includes(source) && set.includes(source)));
    followed = set;
    model.forget(at, left);
  }
  if (leaveAt > end) model.end(end);
  else model.advance(leaveAt);
  return [...out, ...model.emitted.filter((t) => t.time < leaveAt)];
}

function check(s: Scenario): void {
        const { log, reports, results, end } = runScenario(s);
        for (const r of results) {
          expect(r.received, JSON.stringify(r.plan)).toStrictEqual(expected(s, log, r, end));
        }
        // The room's reports are those of audioMixer over the events of each run of the room.
        const shared: string[] = [];
        for (const epoch of new Set(log.filter((l) => l.epoch > 0).map((l) => l.epoch))) {
          const model = new Driver({ outputs: s.outputs, threshold: s.threshold, timeout: s.timeout, minHold: s.minHold });
          for (const entry of log.filter((l) => l.epoch === epoch)) model.push(entry.time, entry.event);
          shared.push(...model.reports);
        }
        expect(reports).toStrictEqual(shared);
}

describe('mixRoom against its definition', () => {
  it('every listener receives what audioMixer fed its view of the room emits; the room reports once', () => {
    fc.assert(fc.property(scenario, check), { numRuns: 500 });
  });

  it('so does every listener that follows a set of sources', () => {
    fc.assert(fc.property(followers, check), { numRuns: Number(process.env.RUNS ?? 300) });
  });

  it('so does every listener of a room where everyone excludes their own source', () => {
    fc.assert(fc.property(everyoneListens, check), { numRuns: Number(process.env.RUNS ?? 300) });
  });
});

// Listeners whose `follow` fails at a whole millisecond, the instants at which sources time out (their events come at
// whole milliseconds too): whatever their view by then, each listener's pins and unpins pair up.
const endings = fc.record({
  ids: fc.constant(smallRoom),
  ...mixerOptions(2, 12),
  steps: fc.array(fc.tuple(fc.nat(4), eventIn(smallRoom)), { minLength: 5, maxLength: 60 }),
  listeners: fc.array(
    fc.record({
      exclude: fc.oneof(fc.constant<string[]>([]), fc.constantFrom(...smallRoom).map((own) => [own])),
      follow: fc.option(subset, { nil: undefined, freq: 4 }),
      failAt: fc.option(fc.nat(80), { nil: undefined, freq: 5 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

describe('mixRoom: every output-pin a listener receives is matched by one output-unpin', () => {
  it('whether its follow fails, at any instant, or the room ends', () => {
    fc.assert(
      fc.property(endings, (s) => {
        const scheduler = new VirtualTimeScheduler();
        const subject = new Subject<Event>();
        const room = mixRoom(subject as unknown as Observable<SourceEvent<unknown, unknown>>, {
          outputs: s.outputs,
          threshold: s.threshold,
          timeout: s.timeout,
          minHold: s.minHold,
          scheduler,
          onInvalid: () => undefined,
        });
        // The follow sets are set up first, so that a failure and a timeout due at the same instant meet in that order.
        const received = s.listeners.map((plan) => {
          const events: { type: string; output: number; source: unknown }[] = [];
          let ended = false;
          const follow =
            plan.follow === undefined
              ? undefined
              : new Observable<string[]>((subscriber) => {
                  subscriber.next(plan.follow!);
                  if (plan.failAt !== undefined) {
                    return scheduler.schedule(() => { subscriber.error(new Error('follow failed')); }, plan.failAt);
                  }
                  return undefined;
                });
          room.listen(follow === undefined ? { exclude: plan.exclude } : { exclude: plan.exclude, follow }).subscribe({
            next: (e) => events.push(e),
            error: () => (ended = true),
            complete: () => (ended = true),
          });
          return { events, ended: () => ended };
        });
        let time = 0;
        for (const [gap, e] of s.steps) scheduler.schedule(() => { subject.next(e); }, (time += gap));
        scheduler.schedule(() => { subject.complete(); }, time + 1);
        scheduler.flush();
        for (const { events, ended } of received) {
          expect(ended()).toBe(true);
          const pinned = new Map<number, unknown>();
          for (const e of events) {
            if (e.type === 'output-pin') {
              expect(pinned.has(e.output), `output ${e.output} pinned twice`).toBe(false);
              pinned.set(e.output, e.source);
            } else if (e.type === 'output-unpin') {
              expect(pinned.get(e.output), `unpin of ${String(e.source)} from output ${e.output}`).toBe(e.source);
              pinned.delete(e.output);
            }
          }
          expect([...pinned.keys()], 'outputs never unpinned').toStrictEqual([]);
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 500) },
    );
  });
});
