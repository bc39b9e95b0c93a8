// rx-audio-mixer/werift without a network: werift's own MediaStreamTrack and RtpPacket objects, fed by hand. The
// real peer connections are in werift.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { Subject, take, VirtualTimeScheduler, type Observable } from 'rxjs';
import { Event, MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { audioMixer, speechMixer, type InvalidReport, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { audioLevelExtensionId, fromWeriftTrack, toWeriftTracks } from 'rx-audio-mixer/werift';
import { marbles } from './helpers.js';

type Extension = { id: number; payload: Buffer };

function rtp(sequenceNumber: number, timestamp: number, extensions: Extension[] = [], tag = 0, marker = false): RtpPacket {
  const header = new RtpHeader({ sequenceNumber, timestamp, ssrc: 0x1234, payloadType: 111, marker, extensions });
  return new RtpPacket(header, Buffer.from([0x58, tag, 0xaa]));
}

const level = (id: number, byte: number): Extension => ({ id, payload: Buffer.of(byte) });

/** A remote track as werift makes them: packets come by `onReceiveRtp.execute`. */
const remoteTrack = () => new MediaStreamTrack({ kind: 'audio', remote: true });

/** The werift Event that a peer connection's connection state is announced on, and the state. */
function fakePeer(state: 'connected' | 'closed' | 'failed' = 'connected') {
  const peer = {
    connectionState: state as string,
    connectionStateChange: new Event<['closed' | 'disconnected' | 'new' | 'connected' | 'failed' | 'connecting']>(),
    set(next: 'closed' | 'failed' | 'disconnected') {
      peer.connectionState = next;
      peer.connectionStateChange.execute(next);
    },
  };
  return peer as typeof peer & { connectionState: 'connected' | 'closed' | 'failed' | 'disconnected' };
}

function collect<T>(events: T[]) {
  return { next: (e: T) => events.push(e), complete: () => events.push('complete' as T) };
}

describe('audioLevelExtensionId', () => {
  it('finds the id negotiated for the audio level extension, or undefined', () => {
    expect(
      audioLevelExtensionId({
        headerExtensions: [
          { id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
          { id: 4, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' },
        ],
      }),
    ).toBe(4);
    expect(audioLevelExtensionId({ headerExtensions: [{ id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }] })).toBe(
      undefined,
    );
  });
});

describe('fromWeriftTrack', () => {
  it('reads the level from the RFC 6464 byte: minus the low 7 bits, the V bit (high bit) ignored', () => {
    const track = remoteTrack();
    const events: SourceEvent<string, RtpPacket>[] = [];
    const reports: InvalidReport[] = [];
    fromWeriftTrack(track, { source: 'alice', extensionId: 3, onInvalid: (r) => reports.push(r) }).subscribe(
      (e) => events.push(e),
    );
    const packets = [
      rtp(1, 0, [level(3, 0x80 | 30)]), // V=1, 30
      rtp(2, 960, [level(3, 30)]), // V=0, 30
      rtp(3, 1920, [level(3, 0x80)]), // 0 dBov, not -0
      rtp(4, 2880, [level(3, 0x7f)]), // V=0, silence: a DTX packet
      rtp(5, 3840, [level(1, 0x80 | 10)]), // another id: no level
      rtp(6, 4800), // no extension: no level, no report
    ];
    for (const p of packets) track.onReceiveRtp.execute(p);
    expect(events.map((e) => (e.type === 'source-pkt' ? (e.level ?? 'none') : e.type))).toStrictEqual([
      'source-added',
      -30,
      -30,
      0,
      -127,
      'none',
      'none',
    ]);
    expect(Object.is((events[3] as { level: number }).level, 0)).toBe(true);
    expect(events.slice(1).map((e) => (e as { data: RtpPacket }).data)).toStrictEqual(packets);
    expect(events.slice(1).every((e, i) => (e as { data: RtpPacket }).data === packets[i])).toBe(true);
    expect(events.slice(5).every((e) => !('level' in e))).toBe(true);
    expect(reports).toStrictEqual([]);
  });

  it('reports a malformed level element (empty, or not one byte) and passes the packet on without a level', () => {
    const track = remoteTrack();
    const events: SourceEvent<string, RtpPacket>[] = [];
    const reports: InvalidReport[] = [];
    fromWeriftTrack(track, { source: 'alice', extensionId: 15, onInvalid: (r) => reports.push(r) }).subscribe((e) =>
      events.push(e),
    );
    const empty = rtp(1, 0, [{ id: 15, payload: Buffer.alloc(0) }]);
    const long = rtp(2, 960, [{ id: 15, payload: Buffer.of(0x80 | 20, 0) }]);
    // Through werift's own parser: a two-byte extension (profile 0x1000) with an empty element under id 15.
    const parsed = RtpPacket.deSerialize(
      Buffer.from([0x90, 0x6f, 0, 3, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x10, 0x00, 0, 1, 15, 0, 0, 0, 0x58, 1]),
    );
    expect(parsed.header.extensions).toStrictEqual([{ id: 15, payload: Buffer.alloc(0) }]);
    for (const p of [empty, long, parsed]) track.onReceiveRtp.execute(p);
    expect(events.slice(1).map((e) => e.type === 'source-pkt' && 'level' in e)).toStrictEqual([false, false, false]);
    expect(reports.map((r) => [r.reason, (r as { problem?: string }).problem, r.event])).toStrictEqual([
      ['malformed-rtp', 'bad-extension', empty],
      ['malformed-rtp', 'bad-extension', long],
      ['malformed-rtp', 'bad-extension', parsed],
    ]);
    expect(reports[1]!.message).toMatch(/2 bytes/);
  });

  it('is cold: attaches to the track on subscribe, each subscription a source-added of its own, and detaches on unsubscribe', () => {
    const track = remoteTrack();
    const attached = track.onReceiveRtp.length; // werift's own subscriber
    const source$ = fromWeriftTrack(track, { source: 'alice', extensionId: 1 });
    expect(track.onReceiveRtp.length).toBe(attached);
    const first: unknown[] = [];
    const second: unknown[] = [];
    const a = source$.subscribe(collect(first));
    const b = source$.subscribe(collect(second));
    expect(track.onReceiveRtp.length).toBe(attached + 2);
    track.onReceiveRtp.execute(rtp(1, 0, [level(1, 40)]));
    a.unsubscribe();
    expect(track.onReceiveRtp.length).toBe(attached + 1);
    track.onReceiveRtp.execute(rtp(2, 960, [level(1, 40)]));
    b.unsubscribe();
    expect(track.onReceiveRtp.length).toBe(attached);
    expect(first.map((e) => (e as { type: string }).type)).toStrictEqual(['source-added', 'source-pkt']);
    expect(second.map((e) => (e as { type: string }).type)).toStrictEqual(['source-added', 'source-pkt', 'source-pkt']);
  });

  it('attaches nothing when the subscriber leaves at source-added (take(1))', () => {
    const track = remoteTrack();
    const peer = fakePeer();
    const attached = track.onReceiveRtp.length;
    const events: unknown[] = [];
    fromWeriftTrack(track, { source: 'alice', extensionId: 1, peerConnection: peer })
      .pipe(take(1))
      .subscribe(collect(events));
    expect(events).toStrictEqual([{ type: 'source-added', source: 'alice' }, 'complete']);
    expect(track.onReceiveRtp.length).toBe(attached);
    expect(peer.connectionStateChange.length).toBe(0);
  });

  it('ends with source-removed then complete when the track stops, and detaches', () => {
    const track = remoteTrack();
    const peer = fakePeer();
    const events: unknown[] = [];
    fromWeriftTrack(track, { source: 'alice', extensionId: 1, peerConnection: peer }).subscribe(collect(events));
    track.stop();
    track.onReceiveRtp.execute(rtp(1, 0)); // werift's event has ended: nothing
    expect(events).toStrictEqual([
      { type: 'source-added', source: 'alice' },
      { type: 'source-removed', source: 'alice' },
      'complete',
    ]);
    expect(peer.connectionStateChange.length).toBe(0);
  });

  it.each(['closed', 'failed'] as const)('ends when the peer connection becomes %s, and detaches', (state) => {
    const track = remoteTrack();
    const attached = track.onReceiveRtp.length;
    const peer = fakePeer();
    const events: unknown[] = [];
    fromWeriftTrack(track, { source: 'alice', extensionId: 1, peerConnection: peer }).subscribe(collect(events));
    peer.set('disconnected'); // may come back: not an end
    track.onReceiveRtp.execute(rtp(1, 0));
    peer.set(state);
    track.onReceiveRtp.execute(rtp(2, 960));
    expect(events.map((e) => (typeof e === 'string' ? e : (e as { type: string }).type))).toStrictEqual([
      'source-added',
      'source-pkt',
      'source-removed',
      'complete',
    ]);
    expect(track.onReceiveRtp.length).toBe(attached);
    expect(peer.connectionStateChange.length).toBe(0);
  });

  it('ends at once when subscribed to a stopped track or a closed peer connection', () => {
    const stopped = remoteTrack();
    stopped.stop();
    const a: unknown[] = [];
    fromWeriftTrack(stopped, { source: 'a', extensionId: undefined }).subscribe(collect(a));
    const b: unknown[] = [];
    fromWeriftTrack(remoteTrack(), { source: 'b', extensionId: 1, peerConnection: fakePeer('failed') }).subscribe(
      collect(b),
    );
    expect(a).toStrictEqual([{ type: 'source-added', source: 'a' }, { type: 'source-removed', source: 'a' }, 'complete']);
    expect(b).toStrictEqual([{ type: 'source-added', source: 'b' }, { type: 'source-removed', source: 'b' }, 'complete']);
  });

  it('throws at once on bad options, naming them', () => {
    const track = remoteTrack();
    expect(() => fromWeriftTrack({} as never, { source: 'a', extensionId: 1 })).toThrow(/'track'/);
    expect(() => fromWeriftTrack(track, { source: undefined, extensionId: 1 })).toThrow(/'source'/);
    expect(() => fromWeriftTrack(track, { source: 'a', extensionId: 0 })).toThrow(/'extensionId'/);
    expect(() => fromWeriftTrack(track, { source: 'a', extensionId: 256 })).toThrow(/'extensionId'/);
    expect(() => fromWeriftTrack(track, { source: 'a', extensionId: 1, peerConnection: {} as never })).toThrow(
      /'peerConnection'/,
    );
    expect(() => fromWeriftTrack(track, { source: 'a', extensionId: 1, onInvalid: 1 as never })).toThrow(/'onInvalid'/);
  });
});

/** A local track that keeps what is written to it (werift's writeRtp would hand it to the sender). */
function writtenTo() {
  const track = new MediaStreamTrack({ kind: 'audio' });
  const written: RtpPacket[] = [];
  track.onReceiveRtp.subscribe((p: RtpPacket) => written.push(p));
  return { track, written };
}

/** The source events of a packet read by fromWeriftTrack (so that its level byte is known), as the mixer forwards it. */
function readPackets(extensionId: number, packets: RtpPacket[]): void {
  const track = remoteTrack();
  const sub = fromWeriftTrack(track, { source: 'x', extensionId }).subscribe();
  for (const p of packets) track.onReceiveRtp.execute(p);
  sub.unsubscribe();
}

const pinE = (output: number, source: string): OutputEvent<string, RtpPacket> => ({ type: 'output-pin', output, source });
const unpinE = (output: number, source: string): OutputEvent<string, RtpPacket> => ({
  type: 'output-unpin',
  output,
  source,
});
const pktE = (output: number, source: string, data: RtpPacket): OutputEvent<string, RtpPacket> => ({
  type: 'output-pkt',
  output,
  source,
  level: -30,
  data,
});

describe('toWeriftTracks', () => {
  it('writes a copy of each packet: one sequence space, timestamps on, the marker on a switch; events pass through', () => {
    const scheduler = new VirtualTimeScheduler();
    const { track, written } = writtenTo();
    const events = new Subject<OutputEvent<string, RtpPacket>>();
    const passed: unknown[] = [];
    events.pipe(toWeriftTracks([track], { scheduler })).subscribe(collect(passed));
    const a1 = rtp(100, 5000, [], 1);
    const a2 = rtp(101, 5960, [], 1, true);
    const b1 = rtp(7000, 123456, [], 2);
    const b2 = rtp(7001, 124416, [], 2);
    const before = [a1, a2, b1, b2].map((p) => p.serialize());
    const input = [pinE(0, 'a'), pktE(0, 'a', a1), pktE(0, 'a', a2), unpinE(0, 'a'), pinE(0, 'b'), pktE(0, 'b', b1), pktE(0, 'b', b2)];
    input.forEach((e, i) => {
      scheduler.schedule(() => { events.next(e); }, i * 20);
    });
    scheduler.flush();
    events.complete();
    expect(passed).toStrictEqual([...input, 'complete']);
    expect(written.map((p) => p.payload[1])).toStrictEqual([1, 1, 2, 2]);
    const seq = written.map((p) => p.header.sequenceNumber);
    expect(seq.map((s) => (s - seq[0]!) & 0xffff)).toStrictEqual([0, 1, 2, 3]);
    const ts = written.map((p) => p.header.timestamp);
    // 960 within a's run; at the switch, the time elapsed (60 ms from a2 to b1: 2880 ticks); then b's own step.
    expect(ts.map((t) => (t - ts[0]!) >>> 0)).toStrictEqual([0, 960, 960 + 2880, 960 + 2880 + 960]);
    expect(written.map((p) => p.header.marker)).toStrictEqual([true, true, true, false]); // a2 keeps its own marker
    // Copies, and the received packets as they were.
    for (const [i, p] of [a1, a2, b1, b2].entries()) {
      expect(written[i]).not.toBe(p);
      expect(written[i]!.header).not.toBe(p.header);
      expect(p.serialize()).toStrictEqual(before[i]);
    }
  });

  it('writes the level element under the listener id (two-byte form from 15), drops every other extension', () => {
    const packets = [
      rtp(1, 0, [{ id: 1, payload: Buffer.from('0') }, level(3, 0x80 | 33), { id: 4, payload: Buffer.of(1, 2, 3) }]),
      rtp(2, 960, [level(3, 0x7f)]),
      rtp(3, 1920, [{ id: 1, payload: Buffer.from('0') }]), // no level
    ];
    readPackets(3, packets);
    const write = (extensionId: number | undefined) => {
      const { track, written } = writtenTo();
      const events = new Subject<OutputEvent<string, RtpPacket>>();
      events.pipe(toWeriftTracks([track], extensionId === undefined ? {} : { extensionId })).subscribe();
      events.next(pinE(0, 'a'));
      for (const p of packets) events.next(pktE(0, 'a', p));
      return written.map((p) => ({
        profile: p.header.extensionProfile,
        extensions: p.header.extensions.map((e) => [e.id, [...e.payload]]),
      }));
    };
    expect(write(2)).toStrictEqual([
      { profile: 0xbede, extensions: [[2, [0x80 | 33]]] },
      { profile: 0xbede, extensions: [[2, [0x7f]]] },
      { profile: 0xbede, extensions: [] },
    ]);
    expect(write(15).slice(0, 2)).toStrictEqual([
      { profile: 0x1000, extensions: [[15, [0x80 | 33]]] },
      { profile: 0x1000, extensions: [[15, [0x7f]]] },
    ]);
    expect(write(undefined).map((p) => p.extensions)).toStrictEqual([[], [], []]);
    // The two-byte form as werift serialises it: 0x1000, then id 15, length 1, the byte.
    const { track, written } = writtenTo();
    const events = new Subject<OutputEvent<string, RtpPacket>>();
    events.pipe(toWeriftTracks([track], { extensionId: 200 })).subscribe();
    events.next(pinE(0, 'a'));
    events.next(pktE(0, 'a', packets[0]!));
    expect([...written[0]!.serialize().subarray(12, 20)]).toStrictEqual([0x10, 0x00, 0, 1, 200, 1, 0x80 | 33, 0]);
  });

  it('reports bad events and drops them, never failing', () => {
    const { track, written } = writtenTo();
    const reports: InvalidReport[] = [];
    const events = new Subject<unknown>();
    const passed: unknown[] = [];
    events
      .pipe(
        (s) => s as Observable<OutputEvent<string, RtpPacket>>,
        toWeriftTracks([track], { onInvalid: (r) => reports.push(r) }),
      )
      .subscribe(collect(passed));
    const good = rtp(1, 0);
    const bad = [
      null,
      { type: 'source-pkt', source: 'a' },
      pinE(1, 'a'),
      { type: 'output-pin', output: '__proto__', source: 'a' },
      pktE(0, 'a', good), // not pinned
      unpinE(0, 'a'), // not pinned
    ];
    for (const e of bad) events.next(e);
    events.next(pinE(0, 'a'));
    events.next({ ...pktE(0, 'a', good), data: 'bytes' });
    events.next({ ...pktE(0, 'a', good), data: { header: { sequenceNumber: 70000, timestamp: 0, marker: false }, payload: Buffer.alloc(1) } });
    events.next(pktE(0, 'a', good));
    events.complete();
    expect(reports.map((r) => r.reason)).toStrictEqual([
      'invalid-event',
      'invalid-event',
      'invalid-event',
      'invalid-event',
      'not-pinned',
      'not-pinned',
      'invalid-event',
      'invalid-event',
    ]);
    expect(passed).toStrictEqual([pinE(0, 'a'), pktE(0, 'a', good), 'complete']);
    expect(written).toHaveLength(1);
  });

  it('throws at once on bad options, naming them', () => {
    const { track } = writtenTo();
    expect(() => toWeriftTracks([])).toThrow(/'tracks'/);
    expect(() => toWeriftTracks([remoteTrack()])).toThrow(/'tracks\[0\]'/);
    expect(() => toWeriftTracks([track, {} as never])).toThrow(/'tracks\[1\]'/);
    expect(() => toWeriftTracks([track], { extensionId: 0 })).toThrow(/'extensionId'/);
    expect(() => toWeriftTracks([track], { clockRate: 0 })).toThrow(/'clockRate'/);
    expect(() => toWeriftTracks([track], { scheduler: {} as never })).toThrow(/'scheduler'/);
    expect(() => toWeriftTracks([track], { onInvalid: 'x' as never })).toThrow(/'onInvalid'/);
  });

  it(
    'passes events through and unsubscribes upstream',
    marbles((m) => {
      const { track, written } = writtenTo();
      const p = rtp(1, 0);
      const values = { P: pinE(0, 'a'), K: pktE(0, 'a', p), U: unpinE(0, 'a') };
      // prettier-ignore
      const source = m.hot('  -P-K-K-U-K-|', values);
      const subs = '          ^------!    ';
      const unsub = '         -------!    ';
      m.expect(source.pipe(toWeriftTracks([track], { scheduler: m.scheduler })), unsub).toBeObservable('-P-K-K-', values);
      m.expect(source).toHaveSubscriptions(subs);
      m.flush();
      expect(written).toHaveLength(2);
    }),
  );
});

describe('Opus DTX: a silent browser sends a packet pair every ~400 ms with V=0', () => {
  /**
   * 6 s in virtual time. alice speaks (a packet every 20 ms at -25, V=1) for 1 s, pauses 3 s in DTX (a pair every
   * 400 ms at -127, V=0), speaks 2 s; bob and carol are silent in DTX the whole time. The events until 6 s (after
   * it, every source times out: nothing more is sent).
   */
  function dtxRoom(mixer: 'audioMixer' | 'speechMixer', outputs: number, timeout?: number): OutputEvent<string, RtpPacket>[] {
    const scheduler = new VirtualTimeScheduler();
    const tracks = { alice: remoteTrack(), bob: remoteTrack(), carol: remoteTrack() };
    const room = new Subject<SourceEvent<string, RtpPacket>>();
    const out: OutputEvent<string, RtpPacket>[] = [];
    const options = { outputs, scheduler, ...(timeout === undefined ? {} : { timeout }) };
    room.pipe(mixer === 'audioMixer' ? audioMixer(options) : speechMixer(options)).subscribe((e) => {
      if (scheduler.now() < 6000) out.push(e);
    });
    for (const [name, track] of Object.entries(tracks)) {
      fromWeriftTrack(track, { source: name, extensionId: 1 }).subscribe((e) => { room.next(e); });
    }
    let seq = 0;
    const send = (name: keyof typeof tracks, byte: number) => {
      seq++;
      tracks[name].onReceiveRtp.execute(rtp(seq, seq * 960, [level(1, byte)]));
    };
    const dtx = (name: keyof typeof tracks, from: number, to: number) => {
      for (let t = from; t < to; t += 400) {
        scheduler.schedule(() => { send(name, 0x7f); }, t);
        scheduler.schedule(() => { send(name, 0x7f); }, t + 20);
      }
    };
    const speak = (name: keyof typeof tracks, from: number, to: number) => {
      for (let t = from; t < to; t += 20) scheduler.schedule(() => { send(name, 0x80 | 25); }, t);
    };
    speak('alice', 0, 1000);
    dtx('alice', 1000, 4000);
    speak('alice', 4000, 6000);
    dtx('bob', 5, 6000);
    dtx('carol', 10, 6000);
    scheduler.flush();
    return out;
  }

  it('with the default timeout, no silent source times out and the speaker keeps the output through the pause', () => {
    for (const mixer of ['audioMixer', 'speechMixer'] as const) {
      // Three outputs: every source pinned; an unpin would be a timeout.
      expect(dtxRoom(mixer, 3).filter((e) => e.type === 'output-unpin'), mixer).toStrictEqual([]);
      // One output: alice takes it at once and keeps it through her pause and the others' DTX.
      const one = dtxRoom(mixer, 1).filter((e) => e.type !== 'output-pkt');
      expect(one, mixer).toStrictEqual([{ type: 'output-pin', output: 0, source: 'alice' }]);
    }
  });

  it('a timeout shorter than the DTX interval drops silent sources and the speaker in her pause', () => {
    const pins = dtxRoom('audioMixer', 1, 300).filter((e) => e.type === 'output-unpin');
    expect(pins.length).toBeGreaterThan(0);
    expect(pins[0]).toStrictEqual({ type: 'output-unpin', output: 0, source: 'alice' });
  });
});
