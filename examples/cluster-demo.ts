/**
 * `npm run cluster-demo -- [--speed 4]`: a room across three nodes over NATS. Starts a local nats-server (it must be
 * installed: `apt-get install nats-server`), connects three nodes to it, replays the public conversation capture
 * with alice and dave on the first node, bob on the second and carol on the third, and prints who each node's
 * listener heard.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { merge, Subject } from 'rxjs';
import { audioMixer, type SourceEvent } from 'rx-audio-mixer';
import { publishSelection, remoteSources } from 'rx-audio-mixer/nats';
import { parseRtp } from 'rx-audio-mixer/rtp';
import { readDatagrams, readSpeakers } from '../test/fixtures.js';
import { hasNatsServer, INSTALL_NATS, startCluster } from '../scripts/natsCluster.js';

const { values } = parseArgs({ options: { speed: { type: 'string', default: '4' } } });
const speed = Number(values.speed);
if (!Number.isFinite(speed) || speed <= 0) {
  console.error(`cluster-demo: --speed must be a number > 0, got ${values.speed}`);
  process.exit(2);
}
if (!hasNatsServer) {
  console.error(`cluster-demo: nats-server is not installed; install it with: ${INSTALL_NATS}`);
  process.exit(1);
}

const OUTPUTS = 2;
const timeout = 1000 / speed;
const layout = [
  { node: 'n0', sources: ['alice', 'dave'] },
  { node: 'n1', sources: ['bob'] },
  { node: 'n2', sources: ['carol'] },
];
const names = new Map(readSpeakers().map((s) => [s.ssrc, s.name]));
const packets = (await readDatagrams('conversation')).flatMap((d) => {
  const info = parseRtp(d.payload, 1);
  if ('problem' in info) return [];
  const source = names.get(info.ssrc) ?? String(info.ssrc);
  const event: SourceEvent =
    info.level === undefined
      ? { type: 'source-pkt', source, data: d.payload }
      : { type: 'source-pkt', source, level: info.level, data: d.payload };
  return [{ time: d.t_us / 1000 / speed, source, event }];
});

const cluster = await startCluster(1);
const url = cluster.servers[0]!.url;
console.log(
  `nats-server on ${url}; replaying 20 s of conversation at ${speed}x over three nodes, ${OUTPUTS} outputs each`,
);
const nodes = await Promise.all(
  layout.map(async ({ node, sources }) => {
    const nc = await connect({ servers: url, name: node });
    const local = new Subject<SourceEvent>();
    const heard = new Map<string, { packets: number; pins: number }>();
    local.pipe(audioMixer({ outputs: OUTPUTS, timeout }), publishSelection(nc, { room: 'demo', node })).subscribe();
    const listener = merge(local, remoteSources(nc, { room: 'demo', node, timeout }))
      .pipe(audioMixer({ outputs: OUTPUTS, timeout }))
      .subscribe((e) => {
        const count = heard.get(e.source) ?? { packets: 0, pins: 0 };
        if (e.type === 'output-pkt') count.packets++;
        if (e.type === 'output-pin') count.pins++;
        heard.set(e.source, count);
      });
    return { node, sources, nc, local, heard, listener };
  }),
);
const start = performance.now();
for (const p of packets) {
  const wait = p.time - (performance.now() - start);
  // The capture's pace; behind it, still a turn of the event loop per packet, as packets from a socket would have.
  await (wait > 0 ? sleep(wait) : new Promise((resolve) => setImmediate(resolve)));
  nodes.find((n) => n.sources.includes(p.source))?.local.next(p.event);
}
for (const node of nodes) node.local.complete();
// Every node has heard everything the others published: NATS keeps each publisher's order, so once a node has the
// others' last word on a subject of their own, it has all they said before.
const done = nodes.map(({ nc }) => {
  const heardFrom = new Set<string>();
  nc.subscribe('rx-audio-mixer-demo.done.*', {
    callback: (_error, message) => {
      heardFrom.add(message.subject);
    },
  });
  return heardFrom;
});
await Promise.all(nodes.map(({ nc }) => nc.flush()));
for (const deadline = performance.now() + 10_000; !done.every((heard) => heard.size === nodes.length);) {
  if (performance.now() > deadline) {
    console.error('cluster-demo: the nodes did not hear each other within 10 s');
    process.exit(1);
  }
  for (const { nc, node } of nodes) nc.publish(`rx-audio-mixer-demo.done.${node}`);
  await sleep(10);
}
for (const node of nodes) {
  const heard = [...node.heard.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, c]) => `${source} ${c.packets} packets (${c.pins} pins)`)
    .join(', ');
  console.log(`node ${node.node} (local: ${node.sources.join(', ')}) heard: ${heard}`);
  node.listener.unsubscribe();
  await node.nc.close();
}
await cluster.stop();
