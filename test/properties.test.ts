import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Subject, VirtualTimeScheduler, type OperatorFunction } from 'rxjs';
import {
  audioMixer,
  pinOutputs,
  selectLoudest,
  timeoutSources,
  trackLevels,
  type AudioMixerOptions,
  type InvalidReason,
} from 'rx-audio-mixer';
import { MixerModel, type ModelOptions, type Timed } from './model.js';

type Event = Record<string, unknown> | null;
type End = 'complete' | 'error';

interface Scenario {
  options: ModelOptions;
  inputs: Timed<Event>[];
  end: { time: number; kind: End };
}

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

const level = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -127, max: 0 }) },
  { weight: 3, arbitrary: fc.constantFrom(-127, -100, -60, -30, -20, 0) },
  { weight: 2, arbitrary: fc.integer({ min: -2540, max: 0 }).map((n) => n / 20) },
  // Quarter-dB levels in a narrow band: several candidates share a 1 dB bucket with different fractional levels.
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => -30 - n / 4) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, 12, -400, '-20', null) },
);

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('source-added'), source: fc.constantFrom(...ids) }) },
  {
    weight: 10,
    arbitrary: fc
      .tuple(fc.constantFrom(...ids), level, fc.nat(1000))
      .map(([source, l, n]) =>
        l === undefined ? { type: 'source-pkt', source, data: n } : { type: 'source-pkt', source, level: l, data: n },
      ),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('source-removed'), source: fc.constantFrom(...ids) }) },
  { weight: 1, arbitrary: fc.constantFrom<Event>(null, { type: 'nonsense' }, { source: 'a' }) },
);

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    outputs: fc.integer({ min: 1, max: 4 }),
    threshold: fc.constantFrom(0, 0.5, 10, 30),
    timeout: fc.integer({ min: 1, max: 40 }),
    minHold: fc.constantFrom(0, 0, 0, 3, 15),
    steps: fc.array(fc.tuple(fc.nat(25), event), { maxLength: 60 }),
    tail: fc.nat(60),
    kind: fc.constantFrom<End>('complete', 'complete', 'error'),
  })
  .map(({ outputs, threshold, timeout, minHold, steps, tail, kind }) => {
    let time = 0;
    const inputs = steps.map(([gap, e]) => ({ time: (time += gap), event: e }));
    return { options: { outputs, threshold, timeout, minHold }, inputs, end: { time: time + tail, kind } };
  });

interface Run {
  outputs: Timed<unknown>[];
  reports: InvalidReason[];
  /** Inputs and outputs in the order they happened. */
  log: ({ input: Event } | { output: Record<string, unknown> })[];
}

const failure = new Error('upstream failed');

/** Feeds a scenario through `operator` in virtual time. */
function run(s: Scenario, operator: (options: AudioMixerOptions) => OperatorFunction<unknown, unknown>): Run {
  const scheduler = new VirtualTimeScheduler();
  const result: Run = { outputs: [], reports: [], log: [] };
  const options: AudioMixerOptions = { ...s.options, scheduler, onInvalid: (r) => result.reports.push(r.reason) };
  const room = new Subject<unknown>();
  let ended = false;
  room.pipe(operator(options)).subscribe({
    next: (e) => {
      result.outputs.push({ time: scheduler.now(), event: e });
      result.log.push({ output: e as Record<string, unknown> });
    },
    error: (e: unknown) => {
      expect(e).toBe(failure);
      ended = true;
    },
    complete: () => (ended = true),
  });
  for (const { time, event } of s.inputs) {
    scheduler.schedule(() => {
      result.log.push({ input: event });
      room.next(event);
    }, time);
  }
  scheduler.schedule(() => {
    if (s.end.kind === 'complete') room.complete();
    else room.error(failure);
  }, s.end.time);
  scheduler.flush();
  expect(ended).toBe(true);
  expect(scheduler.actions.length).toBe(0);
  return result;
}

const composite = (o: AudioMixerOptions) => audioMixer<unknown, unknown>(o) as OperatorFunction<unknown, unknown>;
const staged = (o: AudioMixerOptions) => (source: import('rxjs').Observable<unknown>) =>
  source.pipe(
    timeoutSources<unknown, unknown>(o) as OperatorFunction<unknown, never>,
    trackLevels<unknown, unknown>(o),
    selectLoudest<unknown, unknown>(o),
    pinOutputs<unknown, unknown>(o),
  );

function modelRun(s: Scenario): { outputs: Timed<unknown>[]; reports: InvalidReason[] } {
  const model = new MixerModel(s.options);
  for (const { time, event } of s.inputs) model.input(time, event);
  if (s.end.kind === 'complete') model.complete(s.end.time);
  else model.error(s.end.time);
  return { outputs: model.emitted, reports: model.reports };
}

/** The invariants every output stream must keep, whatever the input. */
function checkInvariants(r: Run): void {
  const sourceOn = new Map<number, unknown>();
  const outputOf = new Map<unknown, number>();
  const forgotten = new Set<unknown>();
  // A removal's own unpin may name the source; from the next input on, nothing may.
  let removing: unknown[] = [];
  for (const entry of r.log) {
    if ('input' in entry) {
      for (const source of removing) forgotten.add(source);
      removing = [];
      const e = entry.input;
      if (e === null || typeof e.type !== 'string') continue;
      if (e.type === 'source-removed') removing.push(e.source);
      else if (e.type === 'source-added' || e.type === 'source-pkt') forgotten.delete(e.source);
      continue;
    }
    const { type, output, source } = entry.output as { type: string; output: number; source: unknown };
    expect(forgotten.has(source), `event for forgotten source ${String(source)}`).toBe(false);
    if (type === 'output-pin') {
      expect(sourceOn.has(output), 'an output holds two sources').toBe(false);
      expect(outputOf.has(source), 'a source holds two outputs').toBe(false);
      sourceOn.set(output, source);
      outputOf.set(source, output);
    } else if (type === 'output-unpin') {
      expect(sourceOn.get(output), 'unpin of a source the output does not hold').toBe(source);
      sourceOn.delete(output);
      outputOf.delete(source);
    } else {
      expect(type).toBe('output-pkt');
      expect(sourceOn.get(output), 'packet on an output its source does not hold').toBe(source);
      const { level } = entry.output as { level: number };
      expect(level >= -127 && level <= 0).toBe(true);
    }
  }
  expect(sourceOn.size, 'every pin is unpinned by the end').toBe(0);
}

describe('properties', () => {
  it('audioMixer does what the model does, for any input', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const actual = run(s, composite);
        const expected = modelRun(s);
        expect(actual.outputs).toStrictEqual(expected.outputs);
        expect(actual.reports).toStrictEqual(expected.reports);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps its invariants for any input', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        checkInvariants(run(s, composite));
      }),
      { numRuns: 1000 },
    );
  });

  it('the staged pipeline emits exactly what audioMixer emits', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const fused = run(s, composite);
        const pipeline = run(s, staged);
        expect(pipeline.outputs).toStrictEqual(fused.outputs);
        expect(pipeline.reports).toStrictEqual(fused.reports);
      }),
      { numRuns: 1000 },
    );
  });
});
