import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, Subject, tap, toArray, VirtualTimeScheduler } from 'rxjs';
import { OpusDecoder } from 'opus-decoder';
import { packets } from 'rtp.js';
import { audioMixer, type InvalidReport, type OutputEvent } from 'rx-audio-mixer';
import {
  fromRtpPackets,
  toRtpOutputs,
  type MalformedRtpReport,
  type RtpOutputPacket,
  type RtpPacketInfo,
} from 'rx-audio-mixer/rtp';
import { readDatagrams, readTruth, type PacketTruth } from './fixtures.js';

const extensionIds: Record<string, number> = { conversation: 1, 'two-byte': 16, 'no-level': 1, malformed: 1 };

async function read(capture: string) {
  const datagrams = await readDatagrams(capture);
  const reports: InvalidReport[] = [];
  const events = await lastValueFrom(
    from(datagrams.map((d) => d.payload)).pipe(
      fromRtpPackets({ extensionId: extensionIds[capture] ?? 1, onInvalid: (r) => reports.push(r) }),
      toArray(),
    ),
  );
  return { datagrams, events, reports };
}

describe('fromRtpPackets on the real captures', () => {
  it.each(['conversation', 'two-byte', 'no-level'])('%s: every SSRC, sequence number, level and V bit as in the ground truth', async (capture) => {
    const truth = readTruth(capture);
    const { datagrams, events, reports } = await read(capture);
    expect(datagrams.length).toBe(truth.length);
    expect(reports).toStrictEqual([]);
    expect(events.length).toBe(truth.length);
    events.forEach((event, i) => {
      const t = truth[i] as PacketTruth;
      const info = event.type === 'source-pkt' ? event.data : undefined;
      expect(event.source).toBe(t.ssrc);
      expect(info?.ssrc).toBe(t.ssrc);
      expect(info?.sequenceNumber).toBe(t.seq);
      expect(info?.timestamp).toBe(t.ts);
      expect(info?.marker).toBe(t.marker);
      expect(info?.payload.byteLength).toBe(t.payload_len);
      expect(event.type === 'source-pkt' ? event.level : 'no packet').toBe(t.level === null ? undefined : t.level === 0 ? 0 : -t.level);
      expect(info?.voiceActivity).toBe(t.vad ?? undefined);
    });
  });

  it('malformed: reports each broken datagram with its problem, and passes the valid ones', async () => {
    const lines = readTruth('malformed') as (PacketTruth & { malformed?: string })[];
    const { events, reports } = await read('malformed');
    const expected: Record<number, string> = {
      2: 'truncated',
      3: 'not-rtp',
      4: 'not-rtp',
      5: 'bad-extension',
      6: 'bad-extension',
      7: 'bad-padding',
      8: 'bad-padding',
      10: 'bad-csrc-count',
      11: 'truncated',
      12: 'rtcp',
      13: 'not-rtp',
      14: 'not-rtp',
    };
    const brokenIndices = lines.filter((l) => l.malformed !== undefined).map((l) => l.i);
    expect(brokenIndices).toStrictEqual(Object.keys(expected).map(Number));
    expect(reports.map((r) => [r.reason, (r as MalformedRtpReport).problem])).toStrictEqual(
      brokenIndices.map((i) => ['malformed-rtp', expected[i]]),
    );
    reports.forEach((r) => { expect(r.message.length).toBeGreaterThan(10); });
    const valid = lines.filter((l) => l.malformed === undefined);
    expect(events.map((e) => (e.type === 'source-pkt' ? [e.data.ssrc, e.data.sequenceNumber, e.level] : []))).toStrictEqual(
      valid.map((l) => [l.ssrc, l.seq, l.level === null ? undefined : -l.level]),
    );
  });

  it('rtp.js on its own rejects 10 of the 12 broken datagrams, as the README says (not RTCP, nor a zero padding count)', async () => {
    const datagrams = await readDatagrams('malformed');
    const rejected = datagrams.flatMap((d, i) => {
      const view = new DataView(d.payload.buffer, d.payload.byteOffset, d.payload.byteLength);
      try {
        if (!packets.isRtp(view)) return [i];
        new packets.RtpPacket(view);
        return [];
      } catch {
        return [i];
      }
    });
    expect(rejected).toStrictEqual([2, 3, 4, 5, 6, 7, 10, 11, 13, 14]);
  });

  it('reports what is not a datagram', async () => {
    const reports: InvalidReport[] = [];
    await lastValueFrom(
      from(['nonsense' as unknown as Uint8Array]).pipe(fromRtpPackets({ extensionId: 1, onInvalid: (r) => reports.push(r) }), toArray()),
    );
    expect(reports.map((r) => r.reason)).toStrictEqual(['invalid-event']);
  });

  it('toRtpOutputs reports what is not an output event of its outputs, and goes on', async () => {
    const reports: InvalidReport[] = [];
    const packets = await lastValueFrom(
      from([null, { type: 'output-pin', output: 5, source: 1 }] as unknown as OutputEvent<number, RtpPacketInfo>[]).pipe(
        toRtpOutputs({ outputs: 1, extensionId: 1, onInvalid: (r) => reports.push(r) }),
        toArray(),
      ),
    );
    expect(packets).toStrictEqual([]);
    expect(reports.map((r) => r.reason)).toStrictEqual(['invalid-event', 'invalid-event']);
  });

  it('checks its options', () => {
    expect(() => fromRtpPackets({ extensionId: 0 })).toThrow(/'extensionId' must be an integer 1..255, got 0/);
    expect(() => toRtpOutputs({ outputs: 2, extensionId: 1, ssrcs: [1] })).toThrow(/'ssrcs' must give 2 integers/);
  });
});

describe('toRtpOutputs after audioMixer, on the conversation capture', () => {
  const OUTPUTS = 2;
  const SSRCS = [0x51000001, 0x51000002];

  async function mix() {
    const datagrams = await readDatagrams('conversation');
    const scheduler = new VirtualTimeScheduler();
    const wire = new Subject<Uint8Array>();
    const out: (RtpOutputPacket & { time: number })[] = [];
    const pins: (OutputEvent<number, RtpPacketInfo> & { time: number })[] = [];
    const sent = new Map<Uint8Array, Uint8Array>();
    const forwarded: OutputEvent<number, RtpPacketInfo>[] = [];
    wire
      .pipe(
        fromRtpPackets({ extensionId: 1 }),
        audioMixer<number, RtpPacketInfo>({ outputs: OUTPUTS, scheduler }),
        tap((e) => {
          if (e.type === 'output-pkt') forwarded.push(e);
          else pins.push({ ...e, time: scheduler.now() });
        }),
        toRtpOutputs({ outputs: OUTPUTS, extensionId: 1, outputExtensionId: 3, ssrcs: SSRCS, firstSequenceNumbers: [65530, 100], firstTimestamps: [4294967000, 5], scheduler }),
      )
      .subscribe((p) => out.push({ ...p, time: scheduler.now() }));
    for (const d of datagrams) {
      scheduler.schedule(() => {
        sent.set(d.payload, Uint8Array.from(d.payload));
        wire.next(d.payload);
      }, d.t_us / 1000);
    }
    scheduler.schedule(() => { wire.complete(); }, 20_000);
    scheduler.flush();
    return { out, pins, forwarded, sent };
  }

  it('gives each output a stable stream: own SSRC, contiguous sequence numbers, continuous timestamps, marker after a switch', async () => {
    const { out, pins } = await mix();
    expect(out.length).toBeGreaterThan(1500);
    for (let output = 0; output < OUTPUTS; output++) {
      const stream = out.filter((p) => p.output === output);
      const switches = pins.filter((p) => p.output === output && p.type === 'output-pin');
      expect(switches.length).toBeGreaterThan(1);
      let markers = 0;
      stream.forEach((p, i) => {
        expect(p.ssrc).toBe(SSRCS[output]);
        const parsed = new packets.RtpPacket(new DataView(p.datagram.buffer, p.datagram.byteOffset, p.datagram.byteLength));
        expect(parsed.getSsrc()).toBe(p.ssrc);
        expect(parsed.getSequenceNumber()).toBe(p.sequenceNumber);
        expect(parsed.getTimestamp()).toBe(p.timestamp);
        expect(parsed.getMarker()).toBe(p.marker);
        if (p.marker) markers++;
        const previous = stream[i - 1];
        if (previous === undefined) {
          expect(p.marker).toBe(true);
          return;
        }
        expect(p.sequenceNumber).toBe((previous.sequenceNumber + 1) & 0xffff);
        const step = (p.timestamp - previous.timestamp) >>> 0;
        const elapsedTicks = (p.time - previous.time) * 48;
        expect(step).toBeGreaterThan(0);
        // Never further than the real time elapsed, give or take one 20 ms frame of network jitter.
        expect(step).toBeLessThanOrEqual(Math.ceil(elapsedTicks) + 960);
        if (p.source !== previous.source) expect(p.marker).toBe(true);
      });
      // Every switch is marked (the sources' own first packets are marked too).
      expect(markers).toBeGreaterThanOrEqual(switches.length);
    }
  });

  it('keeps payload bytes untouched, the incoming datagrams as they were, and the level under the output id', async () => {
    const { out, forwarded, sent } = await mix();
    for (const [original, copy] of sent) expect(original).toStrictEqual(copy);
    const levelType = packets.rtpExtensionUriToType('urn:ietf:params:rtp-hdrext:ssrc-audio-level') as number;
    // One rewritten packet per output-pkt, in order.
    expect(out.length).toBe(forwarded.length);
    out.forEach((p, k) => {
      const input = forwarded[k] as OutputEvent<number, RtpPacketInfo> & { type: 'output-pkt' };
      const parsed = new packets.RtpPacket(new DataView(p.datagram.buffer, p.datagram.byteOffset, p.datagram.byteLength));
      const payload = parsed.getPayload();
      expect(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)).toStrictEqual(input.data.payload);
      expect(parsed.getExtension(1)).toBeUndefined();
      parsed.setExtensionMapping({ [levelType]: 3 });
      expect(parsed.getSsrcAudioLevelExtension()).toStrictEqual({ volume: -input.level, voice: input.data.voiceActivity });
    });
  });

  it('stays decodable Opus across switches', async () => {
    const { out } = await mix();
    const decoder = new OpusDecoder();
    await decoder.ready;
    try {
      for (let output = 0; output < OUTPUTS; output++) {
        await decoder.reset();
        let samples = 0;
        let errors = 0;
        let frames = 0;
        for (const p of out.filter((q) => q.output === output)) {
          const parsed = new packets.RtpPacket(new DataView(p.datagram.buffer, p.datagram.byteOffset, p.datagram.byteLength));
          const payload = parsed.getPayload();
          const decoded = decoder.decodeFrame(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
          samples += decoded.samplesDecoded;
          errors += decoded.errors.length;
          frames++;
        }
        expect(errors).toBe(0);
        expect(samples).toBe(frames * 960);
      }
    } finally {
      decoder.free();
    }
  });
});
