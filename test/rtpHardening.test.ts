// The RTP adapter under bad and unusual input: nothing ends the stream, nothing is modified in place, nothing leaks
// onto prototypes.
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { packets } from 'rtp.js';
import { audioMixer, type InvalidReport, type OutputEvent } from 'rx-audio-mixer';
import {
  AUDIO_LEVEL_URI,
  fromRtpPackets,
  parseRtp,
  toRtpOutputs,
  type RtpOutputPacket,
  type RtpPacketInfo,
} from 'rx-audio-mixer/rtp';

const hex = (text: string) => Uint8Array.from(text.split(' ').map((h) => parseInt(h, 16)));

/** A real RTP datagram made by rtp.js: Opus-like payload, the audio level in the one-byte form under id 1. */
function datagram(ssrc: number, sequenceNumber: number, timestamp: number, level: number): Uint8Array {
  const packet = new packets.RtpPacket();
  packet.setPayloadType(111);
  packet.setSsrc(ssrc);
  packet.setSequenceNumber(sequenceNumber);
  packet.setTimestamp(timestamp);
  packet.setPayload(new DataView(Uint8Array.of(0xfc, 0xff, 0xfe, sequenceNumber & 0xff).buffer));
  packet.setExtensionMapping({ [packets.rtpExtensionUriToType(AUDIO_LEVEL_URI)!]: 1 });
  packet.setSsrcAudioLevelExtension({ volume: -level, voice: true });
  const view = packet.getView();
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function info(bytes: Uint8Array): RtpPacketInfo {
  const parsed = parseRtp(bytes, 1);
  if ('problem' in parsed) throw new Error(parsed.message);
  return parsed;
}

describe('fromRtpPackets', () => {
  it('takes a two-byte extension with an empty element (RFC 8285 allows it) as a packet without level, and goes on', async () => {
    const empty = hex('90 6f 00 01 00 00 00 64 00 00 00 2a 10 00 00 01 01 00 00 00 01 02 03');
    const reports: InvalidReport[] = [];
    const events = await lastValueFrom(
      from([empty, datagram(42, 2, 1060, -30)]).pipe(
        fromRtpPackets({ extensionId: 1, onInvalid: (r) => reports.push(r) }),
        toArray(),
      ),
    );
    expect(reports).toStrictEqual([]);
    expect(events.map((e) => [e.source, e.type === 'source-pkt' ? e.level : null])).toStrictEqual([
      [42, undefined],
      [42, -30],
    ]);
    const first = events[0]!.type === 'source-pkt' ? events[0]!.data : undefined;
    expect(first?.voiceActivity).toBeUndefined();
    expect(first?.payload).toStrictEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('toRtpOutputs', () => {
  const rewrite = (events: unknown[], options: Partial<Parameters<typeof toRtpOutputs>[0]> = {}) => {
    const reports: InvalidReport[] = [];
    const out: RtpOutputPacket[] = [];
    const input = new Subject<OutputEvent<number, RtpPacketInfo>>();
    let completed = false;
    input
      .pipe(toRtpOutputs({ outputs: 2, extensionId: 1, onInvalid: (r) => reports.push(r), ...options }))
      .subscribe({ next: (p) => out.push(p), complete: () => (completed = true) });
    for (const e of events) input.next(e as OutputEvent<number, RtpPacketInfo>);
    input.next({ type: 'output-pin', output: 0, source: 7 });
    input.next({ type: 'output-pkt', output: 0, source: 7, level: -30, data: info(datagram(7, 1, 100, -30)) });
    input.complete();
    expect(completed).toBe(true);
    expect(out.length, 'the stream goes on after bad input').toBe(1);
    return { reports, out };
  };

  it('reports outputs that are not one of its outputs, and writes nothing onto Array or its prototype', () => {
    const bad = ['length', '__proto__', 'constructor', 1.5, -1, 2, '0', null];
    const events = bad.flatMap((output) => [
      { type: 'output-pin', output, source: 7 },
      { type: 'output-pkt', output, source: 7, level: -3, data: info(datagram(7, 1, 100, -3)) },
    ]);
    const { reports } = rewrite(events);
    expect(reports.map((r) => r.reason)).toStrictEqual(events.map(() => 'invalid-event'));
    expect('switched' in Array.prototype).toBe(false);
    expect('switched' in Array).toBe(false);
    expect(Object.keys(Object.prototype)).toStrictEqual([]);
  });

  it('reports an output-pkt whose data is not an RtpPacketInfo', () => {
    const pinned = { type: 'output-pin', output: 1, source: 9 };
    const packet = (data: unknown) => ({ type: 'output-pkt', output: 1, source: 9, level: -20, data });
    const { reports } = rewrite([
      pinned,
      packet(undefined),
      packet(datagram(9, 1, 1, -20)),
      packet({ ...info(datagram(9, 1, 1, -20)), datagram: Uint8Array.of(0x80, 0x6f, 0) }),
      packet({ ...info(datagram(9, 1, 1, -20)), sequenceNumber: 70000 }),
      packet({ ...info(datagram(9, 1, 1, -20)), datagram: new Uint8Array(20) }),
    ]);
    expect(reports.map((r) => r.reason)).toStrictEqual([
      'invalid-event',
      'invalid-event',
      'invalid-event',
      'invalid-event',
      'malformed-rtp',
    ]);
  });

  it('reports an unknown type, and a packet or unpin for an output that does not hold its source', () => {
    const { reports } = rewrite([
      { type: 'output-bogus', output: 0, source: 7 },
      { type: 'output-pkt', output: 1, source: 7, level: -3, data: info(datagram(7, 1, 100, -3)) },
      { type: 'output-pin', output: 1, source: 8 },
      { type: 'output-pkt', output: 1, source: 7, level: -3, data: info(datagram(7, 1, 100, -3)) },
      { type: 'output-unpin', output: 1, source: 7 },
      { type: 'output-unpin', output: 1, source: 8 },
      { type: 'output-unpin', output: 1, source: 8 },
    ]);
    expect(reports.map((r) => r.reason)).toStrictEqual(['invalid-event', 'not-pinned', 'not-pinned', 'not-pinned', 'not-pinned']);
  });

  it('reads a pooled Node Buffer within its bounds and leaves every input datagram as it was', async () => {
    const bytes = datagram(0x1234, 500, 48000, -25);
    const pooled = Buffer.from(bytes); // small Buffers share one pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    const own = Buffer.alloc(bytes.byteLength);
    own.set(bytes);
    own[2] = 0x01; // sequence number 500 -> 501
    own[3] = 0xf5;
    const before = [Uint8Array.from(pooled), Uint8Array.from(own)];
    const reports: InvalidReport[] = [];
    const out = await lastValueFrom(
      from([pooled, own]).pipe(
        fromRtpPackets({ extensionId: 1, onInvalid: (r) => reports.push(r) }),
        audioMixer<number, RtpPacketInfo>({ outputs: 1 }),
        toRtpOutputs({ outputs: 1, extensionId: 1, ssrcs: [0xbeef], onInvalid: (r) => reports.push(r) }),
        toArray(),
      ),
    );
    expect(reports).toStrictEqual([]);
    expect(out.length).toBe(2);
    expect([Uint8Array.from(pooled), Uint8Array.from(own)]).toStrictEqual(before);
    for (const [k, p] of out.entries()) {
      expect(p.datagram.buffer).not.toBe(pooled.buffer);
      expect(p.datagram.buffer).not.toBe(own.buffer);
      expect(p.datagram.byteLength).toBe(bytes.byteLength);
      const parsed = info(p.datagram);
      expect(parsed.ssrc).toBe(0xbeef);
      expect(parsed.level).toBe(-25);
      expect(parsed.payload).toStrictEqual(info(k === 0 ? pooled : own).payload);
    }
  });

  it('writes the level in the two-byte form when the output id is above 14', () => {
    for (const outputExtensionId of [15, 16, 200, 255]) {
      const out: RtpOutputPacket[] = [];
      const input = new Subject<OutputEvent<number, RtpPacketInfo>>();
      input.pipe(toRtpOutputs({ outputs: 1, extensionId: 1, outputExtensionId })).subscribe((p) => out.push(p));
      input.next({ type: 'output-pin', output: 0, source: 7 });
      input.next({ type: 'output-pkt', output: 0, source: 7, level: -42, data: info(datagram(7, 1, 100, -42)) });
      const written = parseRtp(out[0]!.datagram, outputExtensionId);
      if ('problem' in written) throw new Error(written.message);
      expect(written.level).toBe(-42);
      expect(written.voiceActivity).toBe(true);
      expect(out[0]!.datagram[12]).toBe(0x10); // profile 0x100x: two-byte elements
    }
  });

  it('moves the timestamp on by at least one packet across a switch that comes right after the last packet', () => {
    const out: RtpOutputPacket[] = [];
    const input = new Subject<OutputEvent<number, RtpPacketInfo>>();
    let now = 0;
    input
      .pipe(toRtpOutputs({ outputs: 1, extensionId: 1, scheduler: { now: () => now, schedule: () => { throw new Error('no timer'); } } }))
      .subscribe((p) => out.push(p));
    input.next({ type: 'output-pin', output: 0, source: 1 });
    input.next({ type: 'output-pkt', output: 0, source: 1, level: -30, data: info(datagram(1, 10, 1000, -30)) });
    now = 20;
    input.next({ type: 'output-pkt', output: 0, source: 1, level: -30, data: info(datagram(1, 11, 1960, -30)) });
    now = 21; // bob's first packet, 1 ms after alice's last: 48 ticks of real time, less than a packet
    input.next({ type: 'output-unpin', output: 0, source: 1 });
    input.next({ type: 'output-pin', output: 0, source: 2 });
    input.next({ type: 'output-pkt', output: 0, source: 2, level: -10, data: info(datagram(2, 7000, 5, -10)) });
    expect(out.map((p) => (p.timestamp - out[0]!.timestamp) >>> 0)).toStrictEqual([0, 960, 1920]);
    expect(out.map((p) => p.marker)).toStrictEqual([true, false, true]);
  });
});

describe('the RTP operators, re-entered', () => {
  it('fromRtpPackets handles a datagram pushed from a subscriber after the one being handled', () => {
    const input = new Subject<Uint8Array>();
    const seen: number[] = [];
    input.pipe(fromRtpPackets({ extensionId: 1 })).subscribe((e) => {
      seen.push(e.type === 'source-pkt' ? e.data.sequenceNumber : -1);
      if (seen.length === 1) input.next(datagram(5, 2, 960, -20));
      seen.push(-seen.length);
    });
    input.next(datagram(5, 1, 0, -20));
    input.next(datagram(5, 3, 1920, -20));
    // The second datagram is handled once the first one's emission has returned.
    expect(seen).toStrictEqual([1, -1, 2, -3, 3, -5]);
  });

  it('toRtpOutputs handles an event pushed from a subscriber after the one being handled', () => {
    const input = new Subject<OutputEvent<number, RtpPacketInfo>>();
    const seen: number[] = [];
    input.pipe(toRtpOutputs({ outputs: 1, extensionId: 1 })).subscribe((p) => {
      seen.push(p.sequenceNumber);
      if (seen.length === 1) {
        input.next({ type: 'output-pkt', output: 0, source: 5, level: -20, data: info(datagram(5, 2, 960, -20)) });
      }
      seen.push(-1);
    });
    input.next({ type: 'output-pin', output: 0, source: 5 });
    input.next({ type: 'output-pkt', output: 0, source: 5, level: -20, data: info(datagram(5, 1, 0, -20)) });
    expect(seen.length).toBe(4);
    expect(seen[1]).toBe(-1);
    expect((seen[2]! - seen[0]!) & 0xffff).toBe(1);
  });
});
