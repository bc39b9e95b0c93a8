/**
 * `npm run cascade-sim -- [--nodes 100] [--sources 1000] [--seconds 2]`: the cascade's own code (`publishSelection`,
 * `remoteSources`, `audioMixer`) over an in-memory bus instead of NATS, in virtual time: `nodes` nodes of `sources`
 * sources each, 3 outputs, 10 speakers spread over the room taking turns. Prints the messages per second a node
 * publishes and receives, the bus's total, and the share of the speech that a single mixer over the whole room
 * forwards which each node's listener hears.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { merge, Subject, tap, VirtualTimeScheduler } from 'rxjs';
import { audioMixer, type SourceEvent } from 'rx-audio-mixer';
import { publishSelection, remoteSources } from 'rx-audio-mixer/nats';
import { MemoryBus } from './memoryBus.js';
import { random } from './random.js';

const PACKET_MS = 20;
const OUTPUTS = 3;
const SPEAKERS = 10;

export interface SimulationResult {
  nodes: number;
  sourcesPerNode: number;
  seconds: number;
  /** Messages a node publishes per second (its selection), on average over the nodes. */
  publishedPerNode: number;
  /** Messages a node receives per second (the others' selections). */
  receivedPerNode: number;
  /** Messages published on the bus per second, and delivered. */
  publishedTotal: number;
  deliveredTotal: number;
  /** Packets per second entering all nodes from their local sources. */
  localPackets: number;
  /** Share of the single mixer's forwarded speech that each node's listener hears: the worst node, and the median. */
  heardWorst: number;
  heardMedian: number;
}

export function simulate(nodes: number, sourcesPerNode: number, seconds: number): SimulationResult {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const bus = new MemoryBus();
  const total = nodes * sourcesPerNode;
  const id = (n: number, s: number) => `n${n}-s${s}`;
  const next = random(total + 3);
  const floors = Array.from({ length: total }, () => 90 + Math.floor(next() * 35));
  // 10 speakers spread over the nodes; each speaks in turn for 1/10 of a cycle of `seconds`, with a little overlap.
  const speakers = Array.from({ length: SPEAKERS }, (_, k) =>
    Math.floor((k * total) / SPEAKERS + total / (2 * SPEAKERS)),
  );
  const turnMs = (seconds * 1000) / SPEAKERS;
  const levelOf = (index: number, ms: number): { level: number; speech: boolean } => {
    const k = speakers.indexOf(index);
    if (k >= 0 && ms >= k * turnMs && ms < (k + 1) * turnMs + 60)
      return { level: -20 - Math.floor(next() * 20), speech: true };
    return { level: -Math.min(127, floors[index]! + Math.floor(next() * 4)), speech: false };
  };

  const reference = new Subject<SourceEvent<string, number>>();
  const referenceHeard = new Set<string>();
  reference.pipe(audioMixer<string, number>({ outputs: OUTPUTS, scheduler })).subscribe((e) => {
    if (e.type === 'output-pkt') referenceHeard.add(`${e.source}:${e.data}`);
  });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const room = Array.from({ length: nodes }, (_, n) => {
    const node = `n${n}`;
    const nc = bus.connect(node);
    const local = new Subject<SourceEvent>();
    local.pipe(audioMixer({ outputs: OUTPUTS, scheduler }), publishSelection(nc, { room: 'sim', node })).subscribe();
    const heard = new Set<string>();
    let received = 0;
    merge(
      local,
      remoteSources(nc, { room: 'sim', node, scheduler }).pipe(
        tap(() => {
          received++;
        }),
      ),
    )
      .pipe(audioMixer({ outputs: OUTPUTS, scheduler }))
      .subscribe((e) => {
        if (e.type === 'output-pkt') heard.add(`${e.source}:${decoder.decode(e.data)}`);
      });
    return { node, local, heard, received: () => received };
  });
  const speech = new Set<string>();
  const rounds = (seconds * 1000) / PACKET_MS;
  for (let r = 0; r < rounds; r++) {
    scheduler.schedule(() => {
      const ms = r * PACKET_MS;
      for (let n = 0; n < nodes; n++) {
        for (let s = 0; s < sourcesPerNode; s++) {
          const index = n * sourcesPerNode + s;
          const { level, speech: isSpeech } = levelOf(index, ms);
          const source = id(n, s);
          if (isSpeech) speech.add(`${source}:${r}`);
          reference.next({ type: 'source-pkt', source, level, data: r });
          room[n]!.local.next({ type: 'source-pkt', source, level, data: encoder.encode(String(r)) });
        }
      }
    }, r * PACKET_MS);
  }
  scheduler.schedule(() => {
    reference.complete();
    for (const node of room) node.local.complete();
  }, seconds * 1000);
  scheduler.flush();

  const wanted = [...referenceHeard].filter((k) => speech.has(k));
  const shares = room
    .map((node) => wanted.filter((k) => node.heard.has(k)).length / Math.max(1, wanted.length))
    .sort((a, b) => a - b);
  let published = 0;
  for (const count of bus.published.values()) published += count.messages;
  const received = room.reduce((sum, node) => sum + node.received(), 0);
  return {
    nodes,
    sourcesPerNode,
    seconds,
    publishedPerNode: published / nodes / seconds,
    receivedPerNode: received / nodes / seconds,
    publishedTotal: published / seconds,
    deliveredTotal: received / seconds,
    localPackets: (total * 1000) / PACKET_MS,
    heardWorst: shares[0] ?? 1,
    heardMedian: shares[Math.floor(shares.length / 2)] ?? 1,
  };
}

export function formatSimulation(r: SimulationResult): string {
  const f = (x: number) => Math.round(x).toLocaleString('en');
  return [
    `| nodes x sources | local packets/s (all nodes) | published/s per node | received/s per node | published/s, bus | delivered/s, bus | speech heard, worst node | median node |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${r.nodes} x ${r.sourcesPerNode} | ${f(r.localPackets)} | ${f(r.publishedPerNode)} | ${f(r.receivedPerNode)} | ${f(r.publishedTotal)} | ${f(r.deliveredTotal)} | ${(100 * r.heardWorst).toFixed(1)}% | ${(100 * r.heardMedian).toFixed(1)}% |`,
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '100' },
      sources: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '2' },
    },
  });
  const started = Date.now();
  const result = simulate(Number(values.nodes), Number(values.sources), Number(values.seconds));
  console.log(formatSimulation(result));
  console.error(`simulated ${values.seconds} s in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
