/**
 * The room benchmark: one room of `sources` sources and as many listeners, each excluding its own source, 10 of them
 * taking turns to speak. Per room packet: one `audioMixer` (the work of one shared view), `mixRoom` with every
 * listener, and one `audioMixer` per listener (what a server does without `mixRoom`). Also the heap of a diverged view.
 *
 * `node --expose-gc --import tsx bench/room.ts --measure '{"implementation":"mixRoom","sources":1000}' [--quick]`
 * prints one measurement as JSON; `bench/run.ts` runs each in a process of its own.
 */
import { BehaviorSubject, filter, Subject } from 'rxjs';
import { Bench, type Task } from 'tinybench';
import { audioMixer, mixRoom, type SourceEvent } from 'rx-audio-mixer';
import { random } from '../scripts/random.js';
import { ManualScheduler } from './manualScheduler.js';
import { PACKET_MS } from './workloads.js';

export const ROOM_IMPLEMENTATIONS = [
  'one audioMixer',
  'mixRoom, every listener',
  'an audioMixer per listener',
] as const;
export type RoomImplementation = (typeof ROOM_IMPLEMENTATIONS)[number];
const SPEAKERS = 10;
export const OUTPUTS = 3;

interface RoomTraffic {
  ids: string[];
  packets: { type: 'source-pkt'; source: string; level: number; data: Uint8Array }[];
  levels: Uint8Array;
  rounds: number;
}

/**
 * 10 speakers take turns (each speaks 1.1 s in every 10 s, so turns overlap a little) at 20..40 dB below full scale.
 * Everyone else sends their own background noise: a floor of their own between -127 and -90 dBov, with 3 dB of
 * jitter per packet. `churn`: instead, every silent packet gets a new random level in -127..-95, so that near-silent
 * sources keep taking outputs from each other (the benchmark's "realistic" traffic does this).
 */
export function roomTraffic(sources: number, churn = false): RoomTraffic {
  const rounds = 500; // 10 s
  const ids = Array.from({ length: sources }, (_, i) => `participant-${i}`);
  const payload = new Uint8Array(60);
  const packets = ids.map((source) => ({ type: 'source-pkt' as const, source, level: -127, data: payload }));
  const levels = new Uint8Array(rounds * sources);
  const next = random(sources + 11);
  const floors = ids.map(() => 90 + Math.floor(next() * 35));
  const speakers = Array.from({ length: SPEAKERS }, (_, k) => Math.floor((k * sources) / SPEAKERS));
  for (let r = 0; r < rounds; r++) {
    const row = r * sources;
    for (let i = 0; i < sources; i++) {
      levels[row + i] = churn ? 95 + Math.floor(next() * 33) : Math.min(127, floors[i]! + Math.floor(next() * 4));
    }
    speakers.forEach((s, k) => {
      const phase = (r - k * 50 + rounds) % rounds;
      if (phase < 55) levels[row + s] = 20 + Math.floor(next() * 21);
    });
  }
  return { ids, packets, levels, rounds };
}

function feed(traffic: RoomTraffic, round: number, next: (event: SourceEvent) => void): number {
  const r = round % traffic.rounds;
  const row = r * traffic.ids.length;
  for (let i = 0; i < traffic.ids.length; i++) {
    const packet = traffic.packets[i]!;
    packet.level = -traffic.levels[row + i]!;
    next(packet);
  }
  return traffic.ids.length;
}

/** Sets up one implementation over a room of `sources` and returns a function that feeds one round. */
function setUp(implementation: RoomImplementation, traffic: RoomTraffic, listeners: number) {
  const scheduler = new ManualScheduler();
  const room = new Subject<SourceEvent>();
  const o = { outputs: OUTPUTS, scheduler };
  let delivered = 0;
  const count = () => {
    delivered++;
  };
  if (implementation === 'one audioMixer') {
    room.pipe(audioMixer(o)).subscribe(count);
  } else if (implementation === 'mixRoom, every listener') {
    const mix = mixRoom(room, o);
    for (let i = 0; i < listeners; i++) mix.listen({ exclude: [traffic.ids[i]!] }).subscribe(count);
  } else {
    for (let i = 0; i < listeners; i++) {
      const own = traffic.ids[i]!;
      room
        .pipe(
          filter((e) => e.source !== own),
          audioMixer(o),
        )
        .subscribe(count);
    }
  }
  for (const source of traffic.ids) room.next({ type: 'source-added', source });
  let round = 0;
  const next = (event: SourceEvent) => {
    room.next(event);
  };
  return {
    step(): number {
      round++;
      scheduler.advanceTo(round * PACKET_MS);
      return feed(traffic, round, next);
    },
    delivered: () => delivered,
    room,
  };
}

export interface RoomMeasurement {
  implementation: RoomImplementation;
  sources: number;
  churn?: boolean;
}

/** ns per room packet, and listener deliveries per room packet. */
export async function measureRoom(m: RoomMeasurement, quick: boolean) {
  const traffic = roomTraffic(m.sources, m.churn === true);
  const driver = setUp(m.implementation, traffic, m.sources);
  const perListener = m.implementation === 'an audioMixer per listener';
  // Warm up through a whole cycle of turns, so that every speaker's listener has diverged (a mixer per listener has
  // nothing to diverge: a few rounds warm it up).
  for (let r = 0; r < (perListener ? 10 : traffic.rounds); r++) driver.step();
  const bench = new Bench({
    time: quick ? 30 : perListener ? 3000 : 1000,
    iterations: quick ? 2 : perListener ? 3 : 10,
    warmupTime: quick ? 0 : 100,
    warmupIterations: quick ? 0 : 2,
  });
  const count = { events: 0, iterations: 0, delivered: 0 };
  bench.add(m.implementation, () => {
    const before = driver.delivered();
    count.events += driver.step();
    count.delivered += driver.delivered() - before;
    count.iterations++;
  });
  await bench.run();
  const result = (bench.tasks[0] as Task).result;
  if (!('latency' in result)) throw new Error(`${m.implementation}: ${result.state}`);
  const perIteration = count.events / count.iterations;
  return {
    ns: (result.latency.p50 * 1e6) / perIteration,
    mad: (100 * result.latency.mad) / result.latency.p50,
    samples: result.latency.samplesCount,
    deliveriesPerPacket: count.delivered / count.events,
    nsPerDelivery: await deliveryCost(m.sources, quick),
  };
}

/** What delivering one event to one listener's subscriber costs: a Subject's `next` to as many plain subscribers. */
async function deliveryCost(listeners: number, quick: boolean): Promise<number> {
  const subject = new Subject<number>();
  let delivered = 0;
  for (let i = 0; i < listeners; i++) {
    subject.subscribe(() => {
      delivered++;
    });
  }
  const bench = new Bench({ time: quick ? 20 : 300, iterations: quick ? 2 : 10 });
  bench.add('delivery', () => {
    for (let k = 0; k < 20; k++) subject.next(k);
  });
  await bench.run();
  const result = (bench.tasks[0] as Task).result;
  if (!('latency' in result) || delivered === 0) throw new Error('delivery: no result');
  return (result.latency.p50 * 1e6) / (20 * listeners);
}

/** How many sources the room has in which a follower's copy is measured. */
export const COPY_SOURCES = 100_000;

/**
 * Memory (heap and array buffers) of the diverged views of a room (every speaker's listener, after a cycle of
 * turns), per view; and of a follower's own view, a copy of what it hears of the shared view, per source copied.
 */
export function divergedViewHeap(
  sources: number,
): { bytesPerView: number; views: number; bytesPerCopiedSource: number } | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  const traffic = roomTraffic(sources);
  const heap = () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  // The same room twice: listeners that never diverge (they exclude nobody who speaks), and the room's own listeners.
  const measure = (excludeOwn: boolean) => {
    const scheduler = new ManualScheduler();
    const room = new Subject<SourceEvent>();
    const mix = mixRoom(room, { outputs: OUTPUTS, scheduler });
    const subscriptions = traffic.ids.map((id) =>
      mix.listen({ exclude: excludeOwn ? [id] : [`nobody-${id}`] }).subscribe(),
    );
    for (const source of traffic.ids) room.next({ type: 'source-added', source });
    for (let r = 1; r <= traffic.rounds; r++) {
      scheduler.advanceTo(r * PACKET_MS);
      feed(traffic, r, (e) => {
        room.next(e);
      });
    }
    const used = heap();
    for (const s of subscriptions) s.unsubscribe();
    return used;
  };
  measure(true); // warm up
  const aligned = measure(false);
  const diverged = measure(true);
  const views = SPEAKERS + OUTPUTS; // every speaker's listener, and those of the first sources pinned
  const bytesPerView = (diverged - aligned) / views;
  return { bytesPerView, views, bytesPerCopiedSource: followerCopyBytes(heap) };
}

/**
 * A follower that hears every source of a room of {@link COPY_SOURCES} but the one pinned gets a view of its own at
 * once: a copy of them all. Its memory, less that of a follower that hears them all (aligned, no copy), per source.
 */
function followerCopyBytes(memory: () => number): number {
  const ids = Array.from({ length: COPY_SOURCES }, (_, i) => `source-${i}`);
  const measure = (copy: boolean) => {
    const room = new Subject<SourceEvent>();
    const mix = mixRoom(room, { outputs: OUTPUTS, scheduler: new ManualScheduler() });
    const everyone = mix.listen().subscribe();
    for (const source of ids) room.next({ type: 'source-added', source });
    const follow = new BehaviorSubject<string[]>(copy ? ids.slice(OUTPUTS) : ids);
    const before = memory();
    const follower = mix.listen({ follow }).subscribe();
    const used = memory() - before;
    follower.unsubscribe();
    everyone.unsubscribe();
    return used;
  };
  measure(true); // warm up
  // The median of five: an array buffer let go is sometimes still counted at the next reading.
  const runs = Array.from({ length: 5 }, () => (measure(true) - measure(false)) / (COPY_SOURCES - OUTPUTS));
  return runs.sort((a, b) => a - b)[2]!;
}

// Only when run as a script: bench/run.ts imports this module, with its own --measure.
const measuring = process.argv[1]?.endsWith('room.ts') === true ? process.argv.indexOf('--measure') : -1;
if (measuring >= 0) {
  const quick = process.argv.includes('--quick');
  const m = JSON.parse(process.argv[measuring + 1] ?? '{}') as RoomMeasurement | { heap: number };
  if ('heap' in m) console.log(JSON.stringify(divergedViewHeap(m.heap)));
  else console.log(JSON.stringify(await measureRoom(m, quick)));
}
