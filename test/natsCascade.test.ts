// A room across three media servers over a real NATS cluster of three nats-server processes on loopback: each node
// mixes its local sources and publishes its selection, and hears the others' through its own listener mixer. The
// public conversation capture is replayed (4x faster than real time), its sources split across the nodes.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { merge, Subject, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { audioMixer, type SourceEvent } from 'rx-audio-mixer';
import { decodeEvent, publishSelection, remoteSources } from 'rx-audio-mixer/nats';
import { parseRtp } from 'rx-audio-mixer/rtp';
import { readDatagrams, readSpeakers } from './fixtures.js';
import { hasNatsServer, INSTALL_NATS, startCluster } from '../scripts/natsCluster.js';

const SPEED = 4;
const OUTPUTS = 2;
const TIMEOUT = 1000 / SPEED;
const ROOM = 'conversation';
const NODES = [
  { node: 'n0', sources: ['alice', 'dave'] },
  { node: 'n1', sources: ['bob'] },
  { node: 'n2', sources: ['carol'] },
];

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

describe.skipIf(!hasNatsServer && process.env.CI === undefined)('a room across three nodes over a NATS cluster', () => {
  it(
    'every node hears the speech a single mixer forwards, through a server crash and a node that vanishes',
    { timeout: 60_000 },
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

      // The reference: one audioMixer over the whole room, in virtual time, on the same schedule.
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
            let bytes = 0;
            let published = 0;
            let overhead = 0;
            let packetsOut = 0;
            let pinnedNow = 0;
            let maxPinned = 0;
            const counted = {
              publish: (subject: string, payload: Uint8Array) => {
                bytes += payload.byteLength;
                published++;
                const e = decodeEvent(payload);
                const idBytes = new TextEncoder().encode(e.source).byteLength;
                overhead += payload.byteLength - idBytes - (e.type === 'output-pkt' ? e.data.byteLength : 0);
                if (e.type === 'output-pkt') packetsOut++;
                if (e.type === 'output-pin') maxPinned = Math.max(maxPinned, ++pinnedNow);
                if (e.type === 'output-unpin') pinnedNow--;
                nc.publish(subject, payload);
              },
              subscribe: nc.subscribe.bind(nc),
            };
            const local = new Subject<SourceEvent>();
            const heard = new Map<string, number>();
            const unpinned: { source: string; time: number }[] = [];
            const started = performance.now();
            subscriptions.push(
              local
                .pipe(audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT }), publishSelection(counted, { room: ROOM, node }))
                .subscribe(),
            );
            subscriptions.push(
              merge(local, remoteSources(nc, { room: ROOM, node, timeout: TIMEOUT }))
                .pipe(audioMixer({ outputs: OUTPUTS, timeout: TIMEOUT }))
                .subscribe((e) => {
                  if (e.type === 'output-pkt') heard.set(key(e.source, e.data), performance.now() - started);
                  if (e.type === 'output-unpin') unpinned.push({ source: e.source, time: performance.now() - started });
                }),
            );
            return { node, sources, nc, local, heard, unpinned, stats: () => ({ bytes, published, overhead, packetsOut, maxPinned }) };
          }),
        );
        const start = performance.now();
        // Reconnection of the node whose server is killed: from the kill to its client's reconnect status.
        const crashed = 2;
        let killedAt = Infinity;
        let reconnectedAt = Infinity;
        void (async () => {
          for await (const status of nodes[crashed]!.nc.status()) {
            if (status.type === 'reconnect' && reconnectedAt === Infinity) reconnectedAt = performance.now() - start;
          }
        })();
        // Replay in real time (sped up): each packet to its own node.
        const vanishAt = endMs * 0.7;
        const vanished = nodes[1]!;
        let vanishedAt = Infinity;
        const killAt = endMs * 0.4;
        for (const p of packets) {
          const wait = p.time - (performance.now() - start);
          if (wait > 0) await sleep(wait);
          const now = performance.now() - start;
          if (killedAt === Infinity && now >= killAt) {
            killedAt = now;
            cluster.kill(crashed);
          }
          if (vanishedAt === Infinity && now >= vanishAt) {
            // The node vanishes: its connection drops with nothing more said.
            vanishedAt = now;
            await vanished.nc.close();
          }
          const node = nodes.find((n) => n.sources.includes(p.source))!;
          if (node === vanished && vanishedAt !== Infinity) continue;
          node.local.next(p.event);
        }
        await sleep(TIMEOUT * 2);
        console.log(
          `NATS cascade: server of ${nodes[crashed]!.node} killed at ${killedAt.toFixed(0)} ms, client reconnected after ${(reconnectedAt - killedAt).toFixed(0)} ms; ${vanished.node} vanished at ${vanishedAt.toFixed(0)} ms`,
        );
        expect(reconnectedAt).toBeLessThan(Infinity);

        // Every node hears at least 99% of the speech the single mixer forwards, outside the reconnection window and
        // apart from the vanished node's sources after it vanished.
        const byKey = new Map(packets.map((p) => [key(p.source, p.event.type === 'source-pkt' ? p.event.data : new Uint8Array(4)), p]));
        for (const node of nodes) {
          if (node === vanished) continue;
          let wanted = 0;
          let got = 0;
          for (const k of reference) {
            const p = byKey.get(k)!;
            if (!isSpeech(p)) continue;
            if (p.time >= killedAt && p.time <= reconnectedAt) continue;
            if (vanished.sources.includes(p.source) && p.time >= vanishedAt) continue;
            wanted++;
            if (node.heard.has(k)) got++;
          }
          console.log(`NATS cascade: ${node.node} heard ${got} of the ${wanted} speech packets the single mixer forwards`);
          expect(got / wanted, node.node).toBeGreaterThanOrEqual(0.99);
          // At most `outputs` streams leave a node; at most 16 bytes of overhead per packet besides ids and data.
          const stats = node.stats();
          expect(stats.maxPinned).toBeLessThanOrEqual(OUTPUTS);
          expect(stats.overhead / stats.packetsOut).toBeLessThanOrEqual(16);
          // The vanished node's sources leave this node's listener within the timeout (plus scheduling slack).
          const pinnedAtVanish = [...node.heard.entries()].some(([k, t]) => vanished.sources.some((s) => k.startsWith(`${s}:`)) && t > vanishedAt - 100);
          if (pinnedAtVanish) {
            const gone = node.unpinned.find((u) => vanished.sources.includes(u.source) && u.time >= vanishedAt);
            expect(gone, `${node.node} unpins ${vanished.sources.join()}`).toBeDefined();
            console.log(`NATS cascade: ${node.node} unpinned ${gone!.source} ${(gone!.time - vanishedAt).toFixed(0)} ms after ${vanished.node} vanished (timeout ${TIMEOUT} ms)`);
            expect(gone!.time - vanishedAt).toBeLessThanOrEqual(TIMEOUT + 150);
          }
        }
      } finally {
        for (const s of subscriptions) s.unsubscribe();
        await Promise.all(connections.map((nc) => (nc.isClosed() ? Promise.resolve() : nc.close())));
        await cluster.stop();
      }
      await sleep(100);
      // Every process, socket and timer of the test is closed.
      const after = handles();
      for (const kind of ['ProcessWrap', 'TCPSocketWrap', 'TCPWRAP', 'Timeout']) {
        expect(after[kind] ?? 0, `${kind} left`).toBeLessThanOrEqual(handlesBefore[kind] ?? 0);
      }
    },
  );
});
