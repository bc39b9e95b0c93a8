// A room across three media servers over a real NATS cluster of three nats-server processes on loopback: each node
// mixes its local sources and publishes its selection, and hears the others' through its own listener mixer. The
// public conversation capture is replayed (4x faster than real time), its sources split across the nodes; midway
// one node's server is killed, later another node vanishes.
//
// What is asserted is what the parts guarantee, whatever the machine's speed: NATS over TCP delivers every message
// in order, so between two nodes nothing is lost except, where one end's server crashed, one run of messages that
// starts after the crash and ends when the listener hears the publisher again (both measured from the messages
// themselves); each listener mixes exactly what it received, as audioMixer does in virtual time on the same inputs;
// a vanished node's sources are removed, not before the timeout. How much of the single mixer's speech each node
// hears depends on timing (the order in which local and remote packets arrive); it is logged here, and asserted in
// virtual time by the cascade simulation (test/cascadeTools.test.ts).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  asyncScheduler,
  merge,
  Observable,
  Subject,
  VirtualTimeScheduler,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { audioMixer, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { decodeEvent, publishSelection, remoteSources, type NatsLike } from 'rx-audio-mixer/nats';
import { parseRtp } from 'rx-audio-mixer/rtp';
import { ManualScheduler } from '../bench/manualScheduler.js';
import { readDatagrams, readSpeakers } from './fixtures.js';
import { waitFor } from './waitFor.js';
import { hasNatsServer, INSTALL_NATS, startCluster } from '../scripts/natsCluster.js';

const SPEED = 4;
const OUTPUTS = 2;
const TIMEOUT = 1000 / SPEED;
const ROOM = 'conversation';
const PREFIX = 'rx-audio-mixer';
const NODES = [
  { node: 'n0', sources: ['alice', 'dave'] },
  { node: 'n1', sources: ['bob'] },
  { node: 'n2', sources: ['carol'] },
];
/** The longest wait for anything over loopback: a bound on a stuck test, not a pace. */
const PATIENCE = 15_000;

if (!hasNatsServer && process.env.CI === undefined) {
  console.warn(`skipping the NATS cluster test: nats-server is not installed (${INSTALL_NATS})`);
}

interface Packet {
  time: number;
  source: string;
  seq: number;
  mediaMs: number;
  event: SourceEvent;
}

async function replayPackets(): Promise<Packet[]> {
  const speakers = readSpeakers();
  const names = new Map(speakers.map((s) => [s.ssrc, s.name]));
  const first = new Map<number, number>();
  return (await readDatagrams('conversation')).flatMap((d) => {
    const info = parseRtp(d.payload, 1);
    if ('problem' in info) return [];
    const source = names.get(info.ssrc) ?? String(info.ssrc);
    if (!first.has(info.ssrc)) first.set(info.ssrc, info.timestamp);
    const mediaMs = (((info.timestamp - (first.get(info.ssrc) ?? 0) + 2 ** 32) % 2 ** 32) / 48) | 0;
    const event: SourceEvent =
      info.level === undefined
        ? { type: 'source-pkt', source, data: d.payload }
        : { type: 'source-pkt', source, level: info.level, data: d.payload };
    return [{ time: d.t_us / 1000 / SPEED, source, seq: info.sequenceNumber, mediaMs, event }];
  });
}

const key = (source: string, data: Uint8Array) => `${source}:${(data[2]! << 8) | data[3]!}`;
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * How `received` differs from `published`: the length of the common prefix and of the one run of `published` missing
 * after it, or `undefined` when `received` is not `published` with at most one run taken out (a message reordered,
 * duplicated, altered, or lost in two places).
 */
export function oneGap(published: readonly string[], received: readonly string[]): { kept: number; lost: number } | undefined {
  let kept = 0;
  while (kept < received.length && received[kept] === published[kept]) kept++;
  const rest = received.length - kept;
  const lost = published.length - kept - rest;
  if (lost < 0) return undefined;
  for (let i = 0; i < rest; i++) if (received[kept + i] !== published[kept + lost + i]) return undefined;
  return { kept, lost };
}

/** A clock for a listener's mixer that reads the time once per input, so that the time recorded is the time it used. */
function recordingClock() {
  let frozen: number | undefined;
  const scheduler: SchedulerLike = {
    now: () => frozen ?? asyncScheduler.now(),
    schedule: (work, delay, state) => asyncScheduler.schedule(work as never, delay, state),
  };
  const inputs: { event: SourceEvent; time: number }[] = [];
  const outputs: { event: OutputEvent; time: number }[] = [];
  const record = (source: Observable<SourceEvent>) =>
    new Observable<SourceEvent>((subscriber) =>
      source.subscribe({
        next: (event) => {
          const time = asyncScheduler.now();
          inputs.push({ event, time });
          frozen = time;
          try {
            subscriber.next(event);
          } finally {
            frozen = undefined;
          }
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          subscriber.complete();
        },
      }),
    );
  const output = (event: OutputEvent) => outputs.push({ event, time: scheduler.now() });
  return { scheduler, inputs, outputs, record, output };
}

/** What audioMixer emits, in virtual time, for `inputs` at their times, up to `until`. */
function replayMixer(inputs: readonly { event: SourceEvent; time: number }[], until: number): OutputEvent[] {
  const manual = new ManualScheduler();
  const start = inputs[0]?.time ?? 0;
  manual.advanceTo(start);
  const room = new Subject<SourceEvent>();
  const out: OutputEvent[] = [];
  const subscription = room.pipe(audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT, scheduler: manual })).subscribe((e) => out.push(e));
  for (const { event, time } of inputs) {
    manual.advanceTo(time);
    room.next(event);
  }
  manual.advanceTo(until);
  subscription.unsubscribe();
  return out;
}

describe.skipIf(!hasNatsServer && process.env.CI === undefined)('a room across three nodes over a NATS cluster', () => {
  it(
    'nothing is lost between nodes but around a server crash, each listener mixes what it received, a vanished node is forgotten',
    { timeout: 120_000 },
    async () => {
      expect(hasNatsServer, `nats-server missing in CI: ${INSTALL_NATS}`).toBe(true);
      const handles = () => {
        const counts: Record<string, number> = {};
        for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
        return counts;
      };
      const handlesBefore = handles();
      const packets = await replayPackets();
      const speakers = readSpeakers();
      const isSpeech = (p: Packet) =>
        speakers.find((s) => s.name === p.source)?.speech_ms.some(([a, b]) => p.mediaMs >= a && p.mediaMs < b) ?? false;
      const endMs = packets.at(-1)!.time + 50;

      // The reference: one audioMixer over the whole room, in virtual time, on the same schedule (logged, see above).
      const reference = new Set<string>();
      {
        const scheduler = new VirtualTimeScheduler(undefined, Infinity);
        const room = new Subject<SourceEvent>();
        room.pipe(audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT, scheduler })).subscribe((e) => {
          if (e.type === 'output-pkt') reference.add(key(e.source, e.data));
        });
        for (const p of packets) scheduler.schedule(() => { room.next(p.event); }, p.time);
        scheduler.schedule(() => { room.complete(); }, endMs);
        scheduler.flush();
      }

      const cluster = await startCluster(3);
      const connections: NatsConnection[] = [];
      const subscriptions: Subscription[] = [];
      const base = `${PREFIX}.${ROOM}.`;
      try {
        const nodes = await Promise.all(
          NODES.map(async ({ node, sources }, index) => {
            const urls = cluster.servers.map((s) => s.url);
            const nc = await connect({
              servers: [urls[index]!, ...urls.filter((_, other) => other !== index)],
              noRandomize: true,
              maxReconnectAttempts: -1,
              reconnectTimeWait: 50,
              name: node,
            });
            connections.push(nc);
            // A subscription to the room's subjects before the cascade's own, so that the servers know of this node's
            // interest (NATS drops what no one listens to) before anything is published: the probes below go to it.
            const probes = new Set<string>();
            nc.subscribe(`${base}*`, {
              callback: (error, message) => {
                if (error === null && message.data.byteLength === 0) probes.add(message.subject.slice(base.length));
              },
            });
            return { node, sources, nc, probes, published: [] as string[], received: new Map<string, string[]>() };
          }),
        );
        for (const n of nodes) for (const { node } of NODES) n.received.set(node, []);
        await waitFor(
          () => {
            for (const n of nodes) n.nc.publish(`${base}${n.node}`, new Uint8Array());
            return nodes.every((n) => n.probes.size === nodes.length);
          },
          { timeout: PATIENCE, what: () => `every node to hear every other (${nodes.map((n) => `${n.node}: ${[...n.probes].join()}`).join('; ')})` },
        );

        const mixers = nodes.map((n) => {
          const { nc, node, published, received } = n;
          let overhead = 0;
          let packetsOut = 0;
          let pinnedNow = 0;
          let maxPinned = 0;
          // What this node publishes (as sent on the wire) and receives from each other node; and when it last heard
          // of each remote source.
          const lastHeardOf = new Map<string, { time: number; type: OutputEvent['type'] }>();
          const tapped: NatsLike = {
            publish: (subject, payload) => {
              nc.publish(subject, payload);
              if (nc.isClosed()) return;
              published.push(hex(payload));
              const e = decodeEvent(payload);
              const idBytes = new TextEncoder().encode(e.source).byteLength;
              overhead += payload.byteLength - idBytes - (e.type === 'output-pkt' ? e.data.byteLength : 0);
              if (e.type === 'output-pkt') packetsOut++;
              if (e.type === 'output-pin') maxPinned = Math.max(maxPinned, ++pinnedNow);
              if (e.type === 'output-unpin') pinnedNow--;
            },
            subscribe: (subject, options) =>
              nc.subscribe(subject, {
                callback: (error, message) => {
                  // The probes above are empty, and the last ones may still be on their way: not the cascade's.
                  if (error === null && message.data.byteLength === 0) return;
                  if (error === null) {
                    const from = message.subject.slice(base.length);
                    if (from !== node) {
                      received.get(from)?.push(hex(message.data));
                      const e = decodeEvent(message.data);
                      lastHeardOf.set(e.source, { time: asyncScheduler.now(), type: e.type });
                    }
                  }
                  options.callback(error, message);
                },
              }),
          };
          const local = new Subject<SourceEvent>();
          const clock = recordingClock();
          subscriptions.push(
            local
              .pipe(audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT }), publishSelection(tapped, { room: ROOM, node, prefix: PREFIX }))
              .subscribe(),
          );
          subscriptions.push(
            merge(local, remoteSources(tapped, { room: ROOM, node, prefix: PREFIX, timeout: TIMEOUT }))
              .pipe(clock.record, audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT, scheduler: clock.scheduler }))
              .subscribe(clock.output),
          );
          return { ...n, local, clock, lastHeardOf, stats: () => ({ overhead, packetsOut, maxPinned }) };
        });
        type Node = (typeof mixers)[number];
        // The cascade's own subscriptions have reached the servers: from here on, every message reaches them.
        await Promise.all(nodes.map((n) => n.nc.flush()));

        const crashed = mixers[2]!;
        const vanished = mixers[1]!;
        const survivors = mixers.filter((n) => n !== vanished);
        const pairs = (listeners: Node[]) => listeners.flatMap((l) => mixers.filter((p) => p !== l).map((p) => [p, l] as const));
        /** Whether `listener` has received everything `publisher` published, but for one run lost on the way. */
        const caughtUp = (p: Node, l: Node) => {
          const gap = oneGap(p.published, l.received.get(p.node)!);
          return gap !== undefined && (gap.lost === 0 || gap.kept + gap.lost < p.published.length);
        };
        const open = () => mixers.filter((n) => !n.nc.isClosed());
        const allCaughtUp = () => pairs(open()).every(([p, l]) => caughtUp(p, l));
        const lagging = () =>
          pairs(open())
            .filter(([p, l]) => !caughtUp(p, l))
            .map(([p, l]) => `${p.node} -> ${l.node}`)
            .join(', ');

        const client = { reconnected: false };
        void (async () => {
          for await (const status of crashed.nc.status()) if (status.type === 'reconnect') client.reconnected = true;
        })();
        // How much each node had published, and received from each other, when the server was killed.
        let atCrash: { published: Map<string, number>; received: Map<string, Map<string, number>> } | undefined;
        /** The crashed node hears every other again, and every other hears it: a message of each since the crash. */
        const recovered = () =>
          atCrash !== undefined &&
          pairs(open()).every(
            ([p, l]) => (p !== crashed && l !== crashed) || l.received.get(p.node)!.length > atCrash!.received.get(l.node)!.get(p.node)!,
          );
        let killedAt = Infinity;
        let reconnectedAt = Infinity;
        let vanishedAt = Infinity;

        // Replay at the capture's pace: each packet to its own node. The faults come at quiet moments (every message
        // published so far received), so that a message lost is one the fault lost.
        const unsent = new Set<string>(); // the vanished node's packets after it vanished
        const killAt = endMs * 0.3;
        const vanishAt = endMs * 0.6;
        const start = performance.now();
        for (const p of packets) {
          const wait = p.time - (performance.now() - start);
          // The capture's pace, not a wait for a result; behind it, still a turn of the event loop per packet, as
          // packets from a socket would have.
          await (wait > 0 ? sleep(wait) : new Promise((resolve) => setImmediate(resolve)));
          if (atCrash === undefined && p.time >= killAt) {
            await waitFor(allCaughtUp, { timeout: PATIENCE, what: () => `every message before the crash to arrive (lagging: ${lagging()})` });
            atCrash = {
              published: new Map(mixers.map((n) => [n.node, n.published.length])),
              received: new Map(mixers.map((n) => [n.node, new Map([...n.received].map(([from, r]) => [from, r.length]))])),
            };
            killedAt = performance.now() - start;
            cluster.kill(2);
          }
          if (client.reconnected && reconnectedAt === Infinity) reconnectedAt = performance.now() - start;
          if (vanishedAt === Infinity && p.time >= vanishAt && recovered()) {
            // The node vanishes: its connection drops with nothing more said, after what it said has arrived.
            await waitFor(allCaughtUp, { timeout: PATIENCE, what: () => `every message before ${vanished.node} vanishes to arrive (lagging: ${lagging()})` });
            vanishedAt = performance.now() - start;
            await vanished.nc.close();
          }
          const node = mixers.find((n) => n.sources.includes(p.source))!;
          if (node === vanished && vanished.nc.isClosed()) {
            unsent.add(key(p.source, (p.event as { data: Uint8Array }).data));
            continue;
          }
          node.local.next(p.event);
        }
        expect(client.reconnected, `${crashed.node}'s client reconnected`).toBe(true);
        expect(
          vanishedAt,
          `${crashed.node} heard every node again (and they it) before the end of the capture, ${(performance.now() - start - killedAt).toFixed(0)} ms after the crash`,
        ).toBeLessThan(Infinity);
        console.log(
          `NATS cascade: ${crashed.node}'s server killed at ${killedAt.toFixed(0)} ms, its client reconnected by ${reconnectedAt.toFixed(0)} ms; ${vanished.node} vanished at ${vanishedAt.toFixed(0)} ms`,
        );
        // The vanished node's sources are removed from every other node's listener: not before the timeout (unless
        // it unpinned them first), and the listener unpins them.
        for (const l of survivors) {
          for (const source of vanished.sources) {
            const removed = await waitFor(
              () => {
                const last = l.clock.inputs.findLast((i) => i.event.source === source);
                return last?.event.type === 'source-removed' ? last : undefined;
              },
              { timeout: PATIENCE, what: `${l.node} to remove ${source} after ${vanished.node} vanished` },
            );
            const heard = l.lastHeardOf.get(source)!;
            if (heard.type !== 'output-unpin') expect(removed.time - heard.time, `${l.node} removes ${source}`).toBeGreaterThanOrEqual(TIMEOUT);
            const last = l.clock.outputs.findLast((o) => o.event.source === source);
            expect(last?.event.type ?? 'output-unpin', `${l.node} unpins ${source}`).toBe('output-unpin');
          }
        }
        await waitFor(allCaughtUp, { timeout: PATIENCE, what: () => `every message to arrive (lagging: ${lagging()})` });

        for (const [p, l] of pairs(survivors)) {
          // NATS over TCP: every message in order; where the crashed server stood between them, one run lost, all
          // of it published after the crash (everything before had arrived), and the listener hears the publisher
          // again after it (checked by recovered()).
          const gap = oneGap(p.published, l.received.get(p.node)!);
          expect(gap, `${p.node} -> ${l.node}: in order, at most one run lost`).toBeDefined();
          if (p === crashed || l === crashed) {
            expect(gap!.kept, `${p.node} -> ${l.node}: nothing published before the crash lost`).toBeGreaterThanOrEqual(atCrash!.published.get(p.node)!);
            console.log(`NATS cascade: ${p.node} -> ${l.node}: ${gap!.lost} of ${p.published.length} messages lost around the crash`);
          } else {
            expect(gap!.lost, `${p.node} -> ${l.node}: nothing lost`).toBe(0);
          }
        }
        for (const n of mixers) {
          // At most `outputs` streams leave a node; at most 16 bytes of overhead per packet besides ids and data.
          const stats = n.stats();
          expect(stats.maxPinned).toBeLessThanOrEqual(OUTPUTS);
          expect(stats.overhead / stats.packetsOut).toBeLessThanOrEqual(16);
        }
        for (const l of survivors) {
          // The listener mixes exactly what it received: audioMixer in virtual time on the same inputs at the same
          // times emits the same events (what a timer emitted late on a busy machine included).
          const inputs = l.clock.inputs.slice();
          const outputs = l.clock.outputs.map((o) => o.event);
          const replayed = replayMixer(inputs, l.clock.outputs.at(-1)?.time ?? 0);
          expect(outputs.length, l.node).toBeGreaterThan(1000);
          expect(replayed.slice(0, outputs.length), `${l.node}'s listener mixes what it received`).toStrictEqual(outputs);
          const heard = new Set(outputs.flatMap((e) => (e.type === 'output-pkt' ? [key(e.source, e.data)] : [])));
          const speech = packets.filter(
            (p) => isSpeech(p) && p.event.type === 'source-pkt' && reference.has(key(p.source, p.event.data)) && !unsent.has(key(p.source, p.event.data)),
          );
          const got = speech.filter((p) => p.event.type === 'source-pkt' && heard.has(key(p.source, p.event.data))).length;
          console.log(`NATS cascade: ${l.node} heard ${got} of the ${speech.length} speech packets the single mixer forwards (but for the vanished node's after it vanished; the crash included)`);
        }
      } finally {
        for (const s of subscriptions) s.unsubscribe();
        await Promise.all(connections.map((nc) => (nc.isClosed() ? Promise.resolve() : nc.close())));
        await cluster.stop();
      }
      // Every process, socket and timer of the test is closed.
      const left = () =>
        ['ProcessWrap', 'TCPSocketWrap', 'TCPWRAP', 'Timeout'].filter((kind) => (handles()[kind] ?? 0) > (handlesBefore[kind] ?? 0));
      await waitFor(() => left().length === 0, { timeout: PATIENCE, what: () => `every handle to close (left: ${left().join(', ')})` });
    },
  );
});
