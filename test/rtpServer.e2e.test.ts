// Replays a real capture over UDP loopback into the example server, with the original timing sped up, and checks
// what comes out. Loopback only; bounded in packets and time; everything closed at the end. Loopback UDP loses a
// datagram only when a socket's buffer is full, so the sender keeps at most WINDOW datagrams unread by the server:
// then every datagram arrives, however busy the machine, and the test waits for that rather than for a time.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { packets } from 'rtp.js';
import { startRtpMixerServer } from '../examples/rtpServer.js';
import { readDatagrams } from './fixtures.js';
import { waitFor } from './waitFor.js';

const SPEED = 8;
const OUTPUTS = 2;
/** Datagrams sent and not yet read by the server, at most: far below what a socket buffer holds. */
const WINDOW = 32;

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

it('mixes a capture replayed over UDP loopback, and closes everything', { timeout: 60_000 }, async () => {
  const before = activeHandles();
  const datagrams = (await readDatagrams('conversation')).filter((d) => d.t_us < 12_000_000);
  const listeners = await Promise.all(Array.from({ length: OUTPUTS }, udpSocket));
  const received: { output: number; packet: InstanceType<typeof packets.RtpPacket> }[] = [];
  listeners.forEach((socket, output) => {
    socket.on('message', (message: Buffer) => {
      const bytes = Uint8Array.from(message);
      received.push({ output, packet: new packets.RtpPacket(new DataView(bytes.buffer)) });
    });
  });
  const server = await startRtpMixerServer({
    extensionId: 1,
    timeout: 1000 / SPEED,
    targets: listeners.map((socket) => ({ host: '127.0.0.1', port: socket.address().port })),
  });
  const sender = await udpSocket();
  try {
    const started = performance.now();
    let sent = 0;
    for (const d of datagrams) {
      // The capture's pace (not a wait for a result), and a turn of the event loop per datagram when behind it.
      const due = d.t_us / 1000 / SPEED - (performance.now() - started);
      await (due > 1 ? sleep(due) : new Promise((resolve) => setImmediate(resolve)));
      if (sent - server.stats.received >= WINDOW) {
        await waitFor(() => sent - server.stats.received < WINDOW, { timeout: 10_000, every: 1, what: `the server to read datagram ${server.stats.received + 1}` });
      }
      sender.send(d.payload, server.address.port, '127.0.0.1');
      sent++;
    }
    await waitFor(() => server.stats.received === datagrams.length, {
      timeout: 10_000,
      what: () => `the server to read every datagram (${server.stats.received} of ${datagrams.length})`,
    });
    const forwarded = () => server.stats.sent.reduce((a, b) => a + b, 0);
    await waitFor(() => received.length === forwarded(), {
      timeout: 10_000,
      what: () => `the listeners to receive every datagram sent (${received.length} of ${forwarded()})`,
    });
  } finally {
    await server.close();
    await Promise.all([sender, ...listeners].map(async (socket) => {
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    }));
  }

  expect(server.stats.received).toBe(datagrams.length);
  expect(server.stats.invalid).toBe(0);
  expect(received.length).toBe(server.stats.sent.reduce((a, b) => a + b, 0));
  expect(received.length).toBeGreaterThan(datagrams.length / 4);
  for (let output = 0; output < OUTPUTS; output++) {
    const stream = received.filter((r) => r.output === output).map((r) => r.packet);
    expect(stream.length).toBeGreaterThan(100);
    expect(new Set(stream.map((p) => p.getSsrc())).size).toBe(1);
    stream.forEach((p, i) => {
      const previous = stream[i - 1];
      if (previous === undefined) expect(p.getMarker()).toBe(true);
      else expect(p.getSequenceNumber()).toBe((previous.getSequenceNumber() + 1) & 0xffff);
      expect(p.getPayloadType()).toBe(111);
    });
  }
  expect(server.stats.switches.reduce((a, b) => a + b, 0)).toBeGreaterThan(OUTPUTS);
  // Nothing left running: no socket, no timer of ours.
  const left = () => {
    const after = activeHandles();
    return (after.UDPWrap ?? 0) === (before.UDPWrap ?? 0) && (after.Timeout ?? 0) <= (before.Timeout ?? 0) ? undefined : after;
  };
  await waitFor(() => left() === undefined, { timeout: 5000, what: () => `every socket and timer to close (${JSON.stringify(left())})` });
});
