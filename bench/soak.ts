/**
 * The soak: a crowd joins one mixer, then all of it leaves (half removed, half timed out), and the memory in use
 * (the JS heap and the array buffers, after a full collection) is read before, at the peak and after. A media server
 * keeps one mixer per room for hours: a burst must not pin its peak.
 *
 * `node --expose-gc --import tsx bench/soak.ts [sources] [scenario ...]` prints one line of JSON per scenario
 * (bytes); `npm run bench` reports the same figures, and test/memory.e2e.test.ts asserts on them.
 */
import { Subject, type OperatorFunction } from 'rxjs';
import {
  audioLevels,
  audioMixer,
  dominantSpeaker,
  mixRoom,
  normaliseLevels,
  pinOutputs,
  selectLoudest,
  speechMixer,
  timeoutSources,
  trackLevels,
  type SourceEvent,
} from 'rx-audio-mixer';
import { ManualScheduler } from './manualScheduler.js';

type Id = string | number;

interface Scenario {
  readonly ids: 'ssrc' | 'string';
  /** Subscribes to `events` with what is measured; returns the unsubscription. */
  readonly run: (events: Subject<SourceEvent<Id>>, scheduler: ManualScheduler) => () => void;
}

const TIMEOUT = 1000;
const through =
  (operator: (scheduler: ManualScheduler) => OperatorFunction<SourceEvent<Id>, unknown>): Scenario['run'] =>
  (events, scheduler) => {
    const subscription = events.pipe(operator(scheduler)).subscribe();
    return () => {
      subscription.unsubscribe();
    };
  };

/** What the soak runs, by name. */
export const SCENARIOS: Record<string, Scenario> = {
  'audioMixer, SSRC ids': {
    ids: 'ssrc',
    run: through((scheduler) => audioMixer<Id>({ outputs: 3, timeout: TIMEOUT, scheduler })),
  },
  'audioMixer, string ids': {
    ids: 'string',
    run: through((scheduler) => audioMixer<Id>({ outputs: 3, timeout: TIMEOUT, scheduler })),
  },
  'staged pipeline': {
    ids: 'string',
    run: through(
      (scheduler) => (source) =>
        source.pipe(
          timeoutSources<Id>({ timeout: TIMEOUT, scheduler }),
          trackLevels<Id>({}),
          selectLoudest<Id>({ outputs: 3 }),
          pinOutputs<Id>({ outputs: 3 }),
        ),
    ),
  },
  mixRoom: {
    ids: 'string',
    run: (events, scheduler) => {
      const room = mixRoom<Id>(events, { outputs: 3, timeout: TIMEOUT, scheduler });
      // One listener hears everyone; one excludes a loud source (a view of its own).
      const subscriptions = [room.listen().subscribe(), room.listen({ exclude: ['soak-0'] }).subscribe()];
      return () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      };
    },
  },
  normaliseLevels: {
    ids: 'string',
    run: through((scheduler) => normaliseLevels<Id>({ timeout: TIMEOUT, scheduler })),
  },
  speechMixer: {
    ids: 'string',
    run: through((scheduler) => speechMixer<Id>({ outputs: 3, timeout: TIMEOUT, scheduler })),
  },
  audioLevels: {
    ids: 'string',
    run: through((scheduler) => audioLevels<Id>({ interval: 100, scheduler })),
  },
  dominantSpeaker: {
    ids: 'string',
    run: through((scheduler) => dominantSpeaker<Id>({ floors: { timeout: TIMEOUT }, scheduler })),
  },
};

/** Memory in use, in bytes, after a full collection: the JS heap and the array buffers (which lie outside it). */
function memory(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Memory in use before the crowd joins, with all of it joined, and after it left; in bytes. */
export interface SoakMemory {
  readonly scenario: string;
  readonly sources: number;
  readonly before: number;
  readonly peak: number;
  readonly after: number;
}

/**
 * `sources` sources join (each with a packet, the ids made as they go, so that only the mixer keeps them), then the
 * first half is removed and the rest times out.
 */
export function soak(name: string, sources: number): SoakMemory {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`no soak scenario ${name}`);
  const idOf = scenario.ids === 'ssrc' ? (i: number) => (0x9e3779b1 * (i + 1)) >>> 0 : (i: number) => `soak-${i}`;
  const scheduler = new ManualScheduler();
  const events = new Subject<SourceEvent<Id>>();
  const stop = scenario.run(events, scheduler);
  const data = new Uint8Array(60);
  let time = 0;
  /** `count` sources join, `joined` is told, then they leave. */
  const crowd = (count: number, joined: () => void) => {
    const batch = 10_000;
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(count, start + batch);
      for (let i = start; i < end; i++) events.next({ type: 'source-pkt', source: idOf(i), level: -(i % 128), data });
      time += 20;
      scheduler.advanceTo(time);
    }
    joined();
    for (let i = 0; i < count >> 1; i++) events.next({ type: 'source-removed', source: idOf(i) });
    time += 2 * TIMEOUT;
    scheduler.advanceTo(time);
  };
  // A warm-up: the code compiled and the heap's shapes made before anything is read.
  crowd(Math.min(sources, 20_000), () => undefined);
  const before = memory();
  let peak = 0;
  crowd(sources, () => {
    peak = memory();
  });
  const after = memory();
  stop();
  return { scenario: name, sources, before, peak, after };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const sources = Number(process.argv[2] ?? 1_000_000);
  const names = process.argv.length > 3 ? process.argv.slice(3) : Object.keys(SCENARIOS);
  for (const name of names) console.log(JSON.stringify(soak(name, sources)));
}
