/**
 * `npm run bench`: the mixer as a media server uses it, side by side with baselines on the same events, in one run.
 * Prints a table, writes bench/results.json and bench/results.md, and puts the table in docs/performance.md.
 * `npm run bench -- --quick`: small sizes, a few iterations, nothing written; for CI, so the benchmark never rots.
 * `npm run bench -- --webrtc`: the SFU path through werift peer connections (bench/webrtc.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { identity, map, Subject, type OperatorFunction } from 'rxjs';
import { Bench, type Task } from 'tinybench';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels, type SourceEvent } from 'rx-audio-mixer';
import { ManualScheduler } from './manualScheduler.js';
import { soak as crowdSoak, type SoakMemory } from './soak.js';
import { naiveMixer } from './naiveMixer.js';
import { COPY_SOURCES, OUTPUTS, ROOM_IMPLEMENTATIONS, type RoomMeasurement } from './room.js';
import {
  adversarial,
  feedRound,
  makeIds,
  PACKET_MS,
  realistic,
  shuffledArrival,
  jitteredArrival,
  reshuffledArrival,
  type Id,
  type IdKind,
  type Traffic,
} from './workloads.js';

const quick = process.argv.includes('--quick');
const gc = (globalThis as { gc?: () => void }).gc;

interface MixerOptions {
  outputs: number;
  threshold?: number;
  timeout?: number;
  scheduler: ManualScheduler;
}

type Make = (o: MixerOptions) => OperatorFunction<SourceEvent<Id>, unknown>;

const implementations: Record<string, Make> = {
  'floor: map(identity)': () => map(identity),
  'naive: sort per packet': (o) =>
    naiveMixer(o.outputs, o.threshold ?? 30) as OperatorFunction<SourceEvent<Id>, unknown>,
  'staged pipeline': (o) => (source) =>
    source.pipe(timeoutSources<Id>(o), trackLevels<Id>(o), selectLoudest<Id>(o), pinOutputs<Id>(o)),
  audioMixer: (o) => audioMixer<Id>(o),
};
const FLOOR = 'floor: map(identity)';
const NAIVE = 'naive: sort per packet';

/** The Rust original of this design on this kind of machine (string ids; it never updates pinned levels). */
const RUST_NS: Record<number, number> = { 1000: 37, 1_000_000: 208 };
/** audioMixer per packet at 10^6 sources with string ids before the core's rebuild began (bench/results.md then). */
const BEFORE_REBUILD_NS = 594.1;

interface Row {
  workload: string;
  sources: number;
  outputs: number;
  implementation: string;
  nsPerEvent: number | null;
  madPercent: number | null;
  samples: number;
  note?: string;
}

const rows: Row[] = [];

/** A mixer subscribed once, fed one round of traffic per step. */
function mixerDriver(make: Make, traffic: Traffic, outputs: number) {
  const scheduler = new ManualScheduler();
  const room = new Subject<SourceEvent<Id>>();
  let emitted = 0;
  const options: MixerOptions = { outputs, scheduler };
  const subscription = room.pipe(make(options)).subscribe(() => {
    emitted++;
  });
  const next = (event: SourceEvent<Id>) => {
    room.next(event);
  };
  for (const source of traffic.ids) room.next({ type: 'source-added', source });
  let round = 0;
  return {
    scheduler,
    step(): number {
      round++;
      scheduler.advanceTo(round * PACKET_MS);
      return feedRound(traffic, round, next);
    },
    emitted: () => emitted,
    stop() {
      subscription.unsubscribe();
    },
  };
}

function nsPerEvent(task: Task, eventsPerIteration: number): { ns: number; mad: number; samples: number } {
  const result = task.result;
  if (!('latency' in result)) throw new Error(`${task.name}: ${result.state}`);
  const ns = (result.latency.p50 * 1e6) / eventsPerIteration;
  return { ns, mad: (100 * result.latency.mad) / result.latency.p50, samples: result.latency.samplesCount };
}

/** The traffic of each workload, and its name in the table. */
const WORKLOADS = {
  realistic: { label: 'realistic', make: realistic },
  shuffled: {
    label: 'realistic, packets in arrival order',
    make: (sources: number, ids: IdKind) => shuffledArrival(realistic(sources, ids)),
  },
  jittered: {
    label: 'realistic, arrival order with jitter',
    make: (sources: number, ids: IdKind) => jitteredArrival(realistic(sources, ids)),
  },
  reshuffled: {
    label: 'realistic, a new arrival order every round',
    make: (sources: number, ids: IdKind) => reshuffledArrival(realistic(sources, ids)),
  },
  adversarial: { label: 'adversarial: new random level every packet', make: adversarial },
} as const;

/** One measurement, made in a child process of its own (see {@link measureApart}). */
interface Measurement {
  /** Traffic through a mixer that knows every source; or a burst of joins, or of leaves, of `sources` sources. */
  readonly kind: 'traffic' | 'burst' | 'leave';
  readonly workload: keyof typeof WORKLOADS;
  readonly ids: IdKind;
  readonly sources: number;
  readonly outputs: number;
  readonly implementation: string;
}

/** Runs one measurement in this process and returns its figures. */
async function measureHere(m: Measurement): Promise<{ ns: number; mad: number; samples: number }> {
  const make = implementations[m.implementation];
  if (make === undefined) throw new Error(`no implementation ${m.implementation}`);
  if (m.kind === 'burst' || m.kind === 'leave') {
    const ids = makeIds(m.sources, m.ids);
    const joins: SourceEvent<Id>[] = ids.map((source) => ({ type: 'source-added', source }));
    const leaves: SourceEvent<Id>[] = ids.map((source) => ({ type: 'source-removed', source }));
    const measured = m.kind === 'burst' ? joins : leaves;
    const bench = new Bench({ time: quick ? 30 : 1000, iterations: quick ? 3 : 10, warmupTime: quick ? 10 : 100 });
    let room = new Subject<SourceEvent<Id>>();
    bench.add(
      m.implementation,
      () => {
        for (const event of measured) room.next(event);
      },
      {
        beforeEach: () => {
          room = new Subject<SourceEvent<Id>>();
          room.pipe(make({ outputs: m.outputs, scheduler: new ManualScheduler() })).subscribe();
          if (m.kind === 'leave') for (const join of joins) room.next(join);
        },
        afterEach: () => {
          room.complete();
        },
      },
    );
    await bench.run();
    return nsPerEvent(bench.tasks[0] as Task, m.sources);
  }
  const traffic = WORKLOADS[m.workload].make(m.sources, m.ids);
  const bench = new Bench({
    time: quick ? 30 : m.sources >= 100_000 ? 2000 : 500,
    iterations: quick ? 3 : 10,
    warmupTime: quick ? 10 : 200,
    warmupIterations: quick ? 1 : 3,
  });
  // Short rounds are grouped so that one sample is at least ~20 000 packets.
  const roundsPerSample = Math.max(1, Math.ceil(20_000 / m.sources));
  const count = { events: 0, iterations: 0 };
  const driver = mixerDriver(make, traffic, m.outputs);
  bench.add(m.implementation, () => {
    for (let r = 0; r < roundsPerSample; r++) count.events += driver.step();
    count.iterations++;
  });
  await bench.run();
  driver.stop();
  return nsPerEvent(bench.tasks[0] as Task, count.events / count.iterations);
}

/**
 * Runs one measurement in a fresh Node process. Side by side in one process, the implementations would share the
 * JIT's feedback for the code they share (the operator adapter sees five stage classes and goes megamorphic), and
 * each would be measured slower than it runs in an application that uses it alone.
 */
function measureApart(m: Measurement): void {
  const label =
    (m.kind === 'burst'
      ? `burst: ${m.sources} join in 1 ms`
      : m.kind === 'leave'
        ? `burst: ${m.sources} leave in 1 ms`
        : WORKLOADS[m.workload].label) + (m.ids === 'ssrc' ? ', SSRC ids' : '');
  // The naive mixer keeps an array: a leave is a search and a splice, O(sources), and a burst of leaves quadratic.
  if (m.implementation === NAIVE && (m.kind === 'leave' || (m.kind === 'traffic' && m.sources > 1000))) {
    rows.push({
      workload: label,
      sources: m.sources,
      outputs: m.outputs,
      implementation: m.implementation,
      nsPerEvent: null,
      madPercent: null,
      samples: 0,
      note:
        m.kind === 'leave'
          ? 'skipped: each leave searches an array of every source'
          : 'skipped: a sort of every source per packet would take hours',
    });
    return;
  }
  const args = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--measure',
    JSON.stringify(m),
    ...(quick ? ['--quick'] : []),
  ];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const { ns, mad, samples } = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as {
    ns: number;
    mad: number;
    samples: number;
  };
  rows.push({
    workload: label,
    sources: m.sources,
    outputs: m.outputs,
    implementation: m.implementation,
    nsPerEvent: ns,
    madPercent: mad,
    samples,
  });
}

function measureAll(
  kind: Measurement['kind'],
  workload: Measurement['workload'],
  sources: number,
  outputs: number,
  ids: IdKind = 'string',
): void {
  console.error(
    `${kind === 'traffic' ? `${workload} traffic` : `burst of ${kind === 'burst' ? 'joins' : 'leaves'}`}, ${sources} sources, ${outputs} outputs, ${ids} ids ...`,
  );
  for (const implementation of Object.keys(implementations))
    measureApart({ kind, workload, sources, outputs, implementation, ids });
}

/** Memory in use: the JS heap and the array buffers' memory, which lies outside it (the core's slots live there). */
function heapUsed(): number {
  gc?.();
  gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Memory (heap and array buffers) per known source, with everyone joined and one round of packets sent. */
function measureMemory(sources: number, ids: IdKind): number | null {
  if (gc === undefined) return null;
  const traffic = realistic(sources, ids);
  const before = heapUsed();
  const driver = mixerDriver(implementations.audioMixer as Make, traffic, 3);
  driver.step();
  const after = heapUsed();
  driver.stop();
  return (after - before) / sources;
}

/** What the crowd soak (bench/soak.ts) runs in the benchmark: a crowd joins, then all of it leaves. */
const CROWD_SCENARIOS = ['audioMixer, SSRC ids', 'audioMixer, string ids', 'staged pipeline', 'mixRoom'];

/** The crowd soak of each of {@link CROWD_SCENARIOS}; none without --expose-gc. */
function crowdSoaks(sources: number): SoakMemory[] {
  if (gc === undefined) return [];
  return CROWD_SCENARIOS.map((name) => crowdSoak(name, sources));
}

/** Sources joining, speaking and leaving through one mixer, in batches; some leave by timing out. */
function soak(sources: number): { heapChangePercent: number | null; timersLeft: number } {
  const scheduler = new ManualScheduler();
  const room = new Subject<SourceEvent>();
  room.pipe(audioMixer({ outputs: 3, scheduler })).subscribe();
  const batch = 10_000;
  const data = new Uint8Array(60);
  let time = 0;
  const run = (from: number, to: number) => {
    for (let start = from; start < to; start += batch) {
      const end = Math.min(to, start + batch);
      for (let i = start; i < end; i++) room.next({ type: 'source-added', source: `soak-${i}` });
      time += PACKET_MS;
      scheduler.advanceTo(time);
      for (let i = start; i < end; i++) room.next({ type: 'source-pkt', source: `soak-${i}`, level: -(i % 128), data });
      // Every other batch leaves explicitly; the rest time out.
      if ((start / batch) % 2 === 0)
        for (let i = start; i < end; i++) room.next({ type: 'source-removed', source: `soak-${i}` });
      time += 1000;
      scheduler.advanceTo(time);
    }
  };
  run(0, batch); // warm up the shapes and the heap
  const before = gc === undefined ? null : heapUsed();
  run(batch, sources);
  const after = gc === undefined ? null : heapUsed();
  const timersLeft = scheduler.pending;
  room.complete();
  return {
    heapChangePercent: before === null || after === null ? null : (100 * (after - before)) / before,
    timersLeft,
  };
}

function ns(row: Row | undefined): number | null {
  return row?.nsPerEvent ?? null;
}

function find(workload: string, sources: number, outputs: number, implementation: string): Row | undefined {
  return rows.find(
    (r) =>
      r.workload === workload && r.sources === sources && r.outputs === outputs && r.implementation === implementation,
  );
}

function fmt(value: number | null, digits = 1): string {
  return value === null ? '—' : value.toFixed(digits);
}

interface RoomRow {
  traffic: string;
  implementation: string;
  listeners: number;
  ns: number;
  mad: number;
  deliveriesPerPacket: number;
  nsPerDelivery: number;
}

/** The room benchmark (bench/room.ts), each implementation in a process of its own; its table goes to docs/performance.md. */
function roomBenchmark(): string {
  const sources = quick ? 100 : 1000;
  const rows: RoomRow[] = [];
  for (const churn of [false, true]) {
    for (const implementation of ROOM_IMPLEMENTATIONS) {
      console.error(`room of ${sources}, ${implementation}${churn ? ', churning noise' : ''} ...`);
      const m: RoomMeasurement = { implementation, sources, churn };
      const args = [
        ...process.execArgv,
        fileURLToPath(new URL('./room.ts', import.meta.url)),
        '--measure',
        JSON.stringify(m),
        ...(quick ? ['--quick'] : []),
      ];
      const output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
      const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Omit<
        RoomRow,
        'traffic' | 'implementation' | 'listeners'
      >;
      rows.push({ traffic: churn ? 'churning noise' : 'steady noise', implementation, listeners: sources, ...result });
    }
  }
  const heapArgs = [
    ...process.execArgv,
    fileURLToPath(new URL('./room.ts', import.meta.url)),
    '--measure',
    JSON.stringify({ heap: sources }),
  ];
  const heap = JSON.parse(
    execFileSync(process.execPath, heapArgs, { encoding: 'utf8' }).trim().split('\n').at(-1) ?? 'null',
  ) as {
    bytesPerView: number;
    views: number;
    bytesPerCopiedSource: number;
  } | null;
  const lines = [
    `A room of ${sources} sources and ${sources} listeners, each excluding its own source; 10 speakers take turns, 3 outputs. ns per room packet (median), the share of it spent delivering output events to listeners' subscribers, and the cost without that delivery.`,
    '',
    '| noise of the silent | implementation | ns per room packet | spread | deliveries per packet | without delivery | x one audioMixer |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const without = row.ns - row.deliveriesPerPacket * row.nsPerDelivery;
    const one = rows.find((r) => r.traffic === row.traffic && r.implementation === 'one audioMixer');
    const oneWithout = one === undefined ? null : one.ns - one.deliveriesPerPacket * one.nsPerDelivery;
    lines.push(
      `| ${row.traffic} | ${row.implementation} | ${fmt(row.ns)} | ±${fmt(row.mad, 0)}% | ${fmt(row.deliveriesPerPacket, 2)} | ${fmt(without)} | ${fmt(ratio(without, oneWithout), 2)} |`,
    );
  }
  const without = (traffic: string, implementation: string): number | null => {
    const row = rows.find((r) => r.traffic === traffic && r.implementation === implementation);
    return row === undefined ? null : row.ns - row.deliveriesPerPacket * row.nsPerDelivery;
  };
  // The targets are for a room of 1000: a quick run's room is too small for them.
  if (!quick) lines.push('', '| target | measured | limit | |', '| --- | ---: | ---: | --- |');
  for (const traffic of quick ? [] : ['steady noise', 'churning noise']) {
    const room = without(traffic, 'mixRoom, every listener');
    const checks = [
      {
        target: `${traffic}: mixRoom per room packet, at most 3x one audioMixer`,
        value: ratio(room, without(traffic, 'one audioMixer')),
        limit: 3,
        better: 'lower',
      },
      {
        target: `${traffic}: mixRoom at least 100x cheaper than an audioMixer per listener`,
        value: ratio(without(traffic, 'an audioMixer per listener'), room),
        limit: 100,
        better: 'higher',
      },
    ];
    for (const c of checks) {
      const ok =
        c.value === null
          ? 'not measured'
          : (c.better === 'lower' ? c.value <= c.limit : c.value >= c.limit)
            ? 'met'
            : 'missed';
      lines.push(`| ${c.target} | ${fmt(c.value, 2)}x | ${c.limit}x | ${ok} |`);
    }
  }
  if (heap !== null && !quick) {
    lines.push('');
    lines.push(
      `Heap of a diverged view: ${fmt(heap.bytesPerView / 1024, 1)} KiB in a room of ${sources} sources (it holds entries only where it differs from the shared view), measured over the ${heap.views} views of a cycle of turns, array buffers included.`,
    );
    lines.push('');
    lines.push(
      `A follower's own view, a copy of what it hears of the shared view: ${fmt(heap.bytesPerCopiedSource, 0)} bytes per source copied (a room of ${COPY_SOURCES} sources, a follower of all but the ${OUTPUTS} pinned).`,
    );
  }
  return lines.join('\n');
}

function main(): void {
  if (process.argv.includes('--room')) {
    const table = roomBenchmark();
    console.log(table);
    if (!quick) writeRoomTable(table);
    return;
  }
  const sizes = quick ? [10, 1000] : [10, 1000, 100_000, 1_000_000];
  const outputSweep = quick ? [3, 16] : [3, 16, 64];
  const burst = quick ? 1000 : 100_000;
  const started = Date.now();
  for (const sources of sizes) measureAll('traffic', 'realistic', sources, 3);
  // SSRC-like numbers, what the RTP adapter emits, beside the strings.
  for (const sources of sizes.filter((n) => n !== 100_000)) measureAll('traffic', 'realistic', sources, 3, 'ssrc');
  // The same traffic with its packets in a fixed random order, as a network delivers them, not in join order; with
  // jitter; and in a new order every round, where the core's guess of the next slot is always wrong.
  for (const workload of ['shuffled', 'jittered', 'reshuffled'] as const) {
    for (const sources of sizes.filter((n) => n === 1000 || n === 1_000_000))
      measureAll('traffic', workload, sources, 3, 'ssrc');
  }
  for (const outputs of outputSweep.filter((o) => o !== 3)) measureAll('traffic', 'realistic', 1000, outputs);
  measureAll('traffic', 'adversarial', 1000, 3);
  for (const ids of ['string', 'ssrc'] as const) {
    measureAll('burst', 'realistic', burst, 3, ids);
    measureAll('leave', 'realistic', burst, 3, ids);
  }
  console.error('memory and soak ...');
  const memorySources = quick ? 10_000 : 1_000_000;
  const bytesPerSource = measureMemory(memorySources, 'string');
  const bytesPerSsrc = measureMemory(memorySources, 'ssrc');
  const soakResult = soak(quick ? 20_000 : 1_000_000);
  const crowds = crowdSoaks(quick ? 20_000 : 1_000_000);

  const at = (workload: string, sources: number, implementation: string) =>
    ns(find(workload, sources, 3, implementation));
  const mid = 1000;
  const big = sizes.at(-1) ?? mid;
  const burstNs = (kind: string, ids: string) => at(`burst: ${burst} ${kind} in 1 ms${ids}`, burst, 'audioMixer');
  const targets = [
    ...(['realistic', 'realistic, SSRC ids'] as const).map((workload) => ({
      target: `audioMixer, ${workload}, ${mid} sources, 3 outputs: at most 1.5x the floor`,
      value: ratio(at(workload, mid, 'audioMixer'), at(workload, mid, FLOOR)),
      limit: 1.5,
      unit: 'x',
    })),
    {
      target: `audioMixer, realistic, SSRC ids, ${big} sources: at most ${RUST_NS[1_000_000]} ns per packet (the Rust original)`,
      value: at('realistic, SSRC ids', big, 'audioMixer'),
      limit: RUST_NS[1_000_000] ?? 208,
      unit: ' ns',
    },
    {
      target: `audioMixer, realistic, ${big} sources: at most half its ${BEFORE_REBUILD_NS} ns before the rebuild`,
      value: at('realistic', big, 'audioMixer'),
      limit: BEFORE_REBUILD_NS / 2,
      unit: ' ns',
    },
    ...(['realistic', 'realistic, SSRC ids'] as const).map((workload) => ({
      target: `audioMixer, ${workload}: the cost at ${big} sources at most 2x the cost at 10`,
      value: ratio(at(workload, big, 'audioMixer'), at(workload, 10, 'audioMixer')),
      limit: 2,
      unit: 'x',
    })),
    {
      target: `staged pipeline at ${mid} sources: at most 2x audioMixer`,
      value: ratio(at('realistic', mid, 'staged pipeline'), at('realistic', mid, 'audioMixer')),
      limit: 2,
      unit: 'x',
    },
    {
      target: `heap and array buffers per known source at ${memorySources} sources, SSRC ids: at most 100 bytes`,
      value: bytesPerSsrc,
      limit: 100,
      unit: ' B',
    },
    {
      target: `heap and array buffers per known source at ${memorySources} sources, string ids (the ids themselves not counted): at most 200 bytes`,
      value: bytesPerSource,
      limit: 200,
      unit: ' B',
    },
    ...(['', ', SSRC ids'] as const).flatMap((ids) => [
      { target: `join${ids}: at most 1 µs`, value: burstNs('join', ids), limit: 1000, unit: ' ns' },
      { target: `leave${ids}: at most 1 µs`, value: burstNs('leave', ids), limit: 1000, unit: ' ns' },
    ]),
    {
      target: `soak, ${quick ? 20_000 : 1_000_000} sources through one mixer: heap within 10%`,
      value: soakResult.heapChangePercent === null ? null : Math.abs(soakResult.heapChangePercent),
      limit: 10,
      unit: '%',
    },
    { target: 'soak: timers left scheduled at the end', value: soakResult.timersLeft, limit: 0, unit: '' },
    // A crowd that joins and leaves: memory back where it started (peak and after, above the start, in the soak table).
    ...crowds.map((c) => ({
      target: `soak, ${c.sources} sources join then all leave, ${c.scenario}: memory kept at most 2 MB`,
      value: Math.abs(c.after - c.before) / 2 ** 20,
      limit: 2,
      unit: ' MB',
    })),
  ];

  // The targets are for the full sizes: a quick run only shows that the benchmark still runs.
  const table = `${renderTable(quick ? [] : targets)}${renderSoak(crowds)}`;
  console.log(table);
  const roomTable = roomBenchmark();
  console.log(roomTable);
  if (gc === undefined) console.log('\n(run with node --expose-gc for the memory figures)');
  console.error(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (quick) return;
  const results = { date: new Date().toISOString(), node: process.version, rows, targets, rustReferenceNs: RUST_NS };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(new URL('./results.md', import.meta.url), `${table}\n`);
  const pageUrl = new URL('../docs/performance.md', import.meta.url);
  const page = readFileSync(pageUrl, 'utf8');
  const updated = page.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
  );
  writeFileSync(pageUrl, updated);
  writeRoomTable(roomTable);
}

function writeRoomTable(table: string): void {
  writeFileSync(new URL('./room-results.md', import.meta.url), `${table}\n`);
  const pageUrl = new URL('../docs/performance.md', import.meta.url);
  const page = readFileSync(pageUrl, 'utf8');
  writeFileSync(
    pageUrl,
    page.replace(
      /<!-- room-bench:start -->[\s\S]*<!-- room-bench:end -->/,
      `<!-- room-bench:start -->\n${table}\n<!-- room-bench:end -->`,
    ),
  );
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

/** The crowd soaks: heap and array buffers above the start, with everyone joined and after all of them left. */
function renderSoak(crowds: readonly SoakMemory[]): string {
  if (crowds.length === 0) return '';
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const lines = [
    '',
    '',
    '| soak: a crowd joins, then all of it leaves | sources | peak | after leave |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const c of crowds)
    lines.push(
      `| ${c.scenario} | ${c.sources} | +${mb(c.peak - c.before)} | ${c.after >= c.before ? '+' : '-'}${mb(Math.abs(c.after - c.before))} |`,
    );
  return lines.join('\n');
}

function renderTable(targets: { target: string; value: number | null; limit: number; unit: string }[]): string {
  const lines: string[] = [];
  lines.push(
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Median ns per event; spread is the median absolute deviation.`,
  );
  lines.push('');
  lines.push('| workload | sources | outputs | implementation | ns/event | spread | x floor | Rust original |');
  lines.push('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const floor = ns(find(row.workload, row.sources, row.outputs, FLOOR));
    const rust =
      row.workload === 'realistic' && row.outputs === 3 && row.implementation === 'audioMixer'
        ? RUST_NS[row.sources]
        : undefined;
    lines.push(
      `| ${row.workload} | ${row.sources} | ${row.outputs} | ${row.implementation} | ${row.note ?? fmt(row.nsPerEvent)} | ${row.madPercent === null ? '' : `±${fmt(row.madPercent, 0)}%`} | ${row.nsPerEvent === null ? '' : fmt(ratio(row.nsPerEvent, floor), 2)} | ${rust === undefined ? '' : `${rust} ns`} |`,
    );
  }
  if (targets.length === 0) return lines.join('\n');
  lines.push('');
  lines.push('| target | measured | limit | |');
  lines.push('| --- | ---: | ---: | --- |');
  for (const t of targets) {
    const ok = t.value === null ? 'not measured' : t.value <= t.limit ? 'met' : 'missed';
    lines.push(
      `| ${t.target} | ${fmt(t.value, t.unit === '' ? 0 : 2)}${t.value === null ? '' : t.unit} | ${t.limit}${t.unit} | ${ok} |`,
    );
  }
  return lines.join('\n');
}

const measuring = process.argv.indexOf('--measure');
if (process.argv.includes('--webrtc')) {
  // The SFU path through werift (bench/webrtc.ts): it runs on import.
  await import('./webrtc.js');
} else if (measuring >= 0) {
  const result = await measureHere(JSON.parse(process.argv[measuring + 1] ?? '{}') as Measurement);
  console.log(JSON.stringify(result));
} else {
  main();
}
