// rx-audio-mixer/werift with real werift peer connections on loopback, in this process: publishers write Opus-like
// RTP with levels, a werift "server" mixes the room (fromWeriftTrack -> mixRoom -> toWeriftTracks) and listeners'
// peers check what arrives.
import { merge, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaStreamTrack, type RTCPeerConnection, type RTCRtpTransceiver, type RtpPacket } from 'werift';
import { mixRoom, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { audioLevelExtensionId, fromWeriftTrack, toWeriftTracks } from 'rx-audio-mixer/werift';
import { loopbackPeer, negotiate, publisher, waitFor, type Publisher } from './weriftPeers.js';

const peers: RTCPeerConnection[] = [];
const subscriptions: Subscription[] = [];
afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(peers.splice(0).map((pc) => pc.close()));
});

function peer(levelAfter = 0): RTCPeerConnection {
  const pc = loopbackPeer(levelAfter);
  peers.push(pc);
  return pc;
}

interface Received {
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly profile: number;
  readonly extensions: readonly { id: number; payload: number[] }[];
  /** Whose packet it is: the publisher's tag. */
  readonly tag: number;
  readonly level: number | undefined;
}

/** A participant on the server: its incoming track, and the tracks it listens on. */
interface Participant {
  readonly name: string;
  readonly publisher: Publisher;
  readonly incoming: { track: MediaStreamTrack; transceiver: RTCRtpTransceiver; pc: RTCPeerConnection };
  readonly outgoing: { tracks: MediaStreamTrack[]; extensionId: number | undefined };
  /** What the participant's listening peer received, per output track. */
  readonly received: Received[][];
}

/** Publishes `name`'s track to the server and subscribes it to `outputs` tracks from the server. */
async function join(name: string, tag: number, outputs: number, levelAfter = 0): Promise<Participant> {
  const publishing = peer();
  const serverIn = peer();
  const pub = publisher(publishing, tag);
  const incoming = new Promise<{ track: MediaStreamTrack; transceiver: RTCRtpTransceiver }>((resolve) => {
    serverIn.onRemoteTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => { resolve({ track, transceiver }); });
    });
  });
  await negotiate(publishing, serverIn);

  // The server offers `outputs` sendonly tracks; the listener's negotiated ids are the server's offer's.
  const serverOut = peer(levelAfter);
  const listening = peer(levelAfter);
  const tracks = Array.from({ length: outputs }, () => new MediaStreamTrack({ kind: 'audio' }));
  const senders = tracks.map((track) => serverOut.addTransceiver(track, { direction: 'sendonly' }));
  const received: Received[][] = tracks.map(() => []);
  listening.onRemoteTransceiverAdded.subscribe((transceiver) => {
    const index = listening.getTransceivers().indexOf(transceiver);
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        const h = packet.header;
        const levelId = audioLevelExtensionId(transceiver);
        const level = h.extensions.find((e) => e.id === levelId)?.payload[0];
        received[index]?.push({
          ssrc: h.ssrc,
          sequenceNumber: h.sequenceNumber,
          timestamp: h.timestamp,
          marker: h.marker,
          profile: h.extensionProfile,
          extensions: h.extensions.map((e) => ({ id: e.id, payload: [...e.payload] })),
          tag: packet.payload[1] ?? -1,
          level,
        });
      });
    });
  });
  await negotiate(serverOut, listening);
  const { track, transceiver } = await incoming;
  return {
    name,
    publisher: pub,
    incoming: { track, transceiver, pc: serverIn },
    outgoing: { tracks, extensionId: audioLevelExtensionId(senders[0]!) },
    received,
  };
}

/** Every publisher sends `count` packets at these levels; then waits until the server has taken them all. */
async function speak(
  participants: readonly Participant[],
  levels: readonly number[],
  count: number,
  seen: () => number,
): Promise<void> {
  const before = seen();
  for (let i = 0; i < count; i++) {
    participants.forEach((p, k) => { p.publisher.send(levels[k]); });
    // Let the event loop run, so that the sockets do not queue a burst.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await waitFor(() => seen() >= before + count * participants.length, 10_000, 'the server to receive every packet');
}

describe('rx-audio-mixer/werift on real werift peer connections', () => {
  it('mixes a room: one SSRC per track, continuous numbers, the marker on a switch, the level under the listener id', async () => {
    const names = ['alice', 'bob', 'carol'];
    // carol's peers list 13 more extensions before the level, so her listener id is 15: the two-byte form.
    const participants = await Promise.all(names.map((name, k) => join(name, k + 1, 1, name === 'carol' ? 13 : 0)));
    const [alice, , carol] = participants as [Participant, Participant, Participant];
    expect(alice.outgoing.extensionId).toBe(2);
    expect(carol.outgoing.extensionId).toBe(15);

    const sourceEvents: SourceEvent<string, RtpPacket>[] = [];
    const sources = merge(
      ...participants.map((p) =>
        fromWeriftTrack(p.incoming.track, {
          source: p.name,
          extensionId: audioLevelExtensionId(p.incoming.transceiver),
          peerConnection: p.incoming.pc,
        }),
      ),
    );
    const room = mixRoom(sources, { outputs: 1 });
    const heard = new Map<string, OutputEvent<string, RtpPacket>[]>();
    const ended = new Set<string>();
    for (const p of participants) {
      const events: OutputEvent<string, RtpPacket>[] = [];
      heard.set(p.name, events);
      subscriptions.push(
        room
          .listen({ exclude: [p.name] })
          .pipe(toWeriftTracks(p.outgoing.tracks, { extensionId: p.outgoing.extensionId }))
          .subscribe({ next: (e) => events.push(e), complete: () => ended.add(p.name) }),
      );
    }
    // A second subscriber of the same tracks counts what the server received.
    subscriptions.push(merge(...participants.map((p) => fromWeriftTrack(p.incoming.track, { source: p.name, extensionId: undefined }))).subscribe((e) => sourceEvents.push(e)));
    const packetsIn = (): number => sourceEvents.filter((e) => e.type === 'source-pkt').length;

    // alice speaks, then bob, then alice again.
    await speak(participants, [-20, -70, -80], 20, packetsIn);
    await speak(participants, [-80, -15, -80], 20, packetsIn);
    await speak(participants, [-18, -80, -80], 20, packetsIn);
    await waitFor(() => participants.every((p) => p.received[0]!.length >= 60), 10_000, 'every listener to receive 60 packets');

    // carol hears alice, bob, alice: two switches.
    const stream = carol.received[0]!;
    expect(stream.map((r) => r.tag).filter((t, i, all) => i === 0 || all[i - 1] !== t)).toStrictEqual([1, 2, 1]);
    for (const p of participants) {
      const packets = p.received[0]!;
      expect(packets.length, p.name).toBeGreaterThanOrEqual(60);
      expect(new Set(packets.map((r) => r.ssrc)).size, `${p.name}: one SSRC`).toBe(1);
      packets.forEach((r, i) => {
        if (i === 0) {
          expect(r.marker).toBe(true);
          return;
        }
        const before = packets[i - 1]!;
        expect(r.sequenceNumber, `${p.name} packet ${i}`).toBe((before.sequenceNumber + 1) & 0xffff);
        const step = (r.timestamp - before.timestamp) >>> 0;
        expect(r.marker, `${p.name} packet ${i}`).toBe(r.tag !== before.tag);
        if (r.tag === before.tag) expect(step).toBe(960);
        else expect(step).toBeGreaterThanOrEqual(960);
        expect(r.tag).not.toBe(names.indexOf(p.name) + 1); // nobody hears themself
      });
    }
    // The level, byte for byte, under each listener's own id; carol's id 15 in the two-byte form.
    expect(carol.received[0]!.every((r) => r.profile === 0x1000 && r.extensions.some((e) => e.id === 15))).toBe(true);
    expect(alice.received[0]!.every((r) => r.profile === 0xbede && r.extensions.some((e) => e.id === 2))).toBe(true);
    expect(carol.received[0]!.map((r) => r.level)).toContain(0x80 | 15);
    expect(carol.received[0]!.map((r) => r.level)).toContain(0x80 | 20);

    // Closing the server's peer connections ends every source: the room completes, every pin unpinned.
    await Promise.all(participants.map((p) => p.incoming.pc.close()));
    await waitFor(() => ended.size === 3, 5_000, 'every listener to end');
    for (const [name, events] of heard) {
      const pins = events.filter((e) => e.type === 'output-pin').length;
      expect(events.filter((e) => e.type === 'output-unpin').length, name).toBe(pins);
    }
  }, 60_000);
});
