// The output streams' invariants for any sequence of switches, source clocks and arrival times, wrap-arounds
// included.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { packets } from 'rtp.js';
import type { OutputEvent } from 'rx-audio-mixer';
import { parseRtp, RtpOutputRewriter, type RtpOutputPacket, type RtpPacketInfo } from 'rx-audio-mixer/rtp';

function rtpPacket(ssrc: number, sequenceNumber: number, timestamp: number, payloadByte: number): RtpPacketInfo {
  const packet = new packets.RtpPacket();
  packet.setPayloadType(111);
  packet.setSsrc(ssrc);
  packet.setSequenceNumber(sequenceNumber & 0xffff);
  packet.setTimestamp(timestamp >>> 0);
  packet.setPayload(new DataView(Uint8Array.of(payloadByte, 1, 2, 3).buffer));
  const view = packet.getView();
  const info = parseRtp(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 1);
  if ('problem' in info) throw new Error(info.message);
  return info;
}

const run = fc.record({
  ssrc: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  firstSeq: fc.integer({ min: 65_500, max: 65_535 }), // near the wrap, so that it happens
  firstTs: fc.integer({ min: 2 ** 32 - 5000, max: 2 ** 32 - 1 }),
  packets: fc.integer({ min: 1, max: 40 }),
  gapBeforeMs: fc.integer({ min: 0, max: 500 }),
  packetMs: fc.constantFrom(10, 20, 40, 60),
});

it('keeps every output stream contiguous, continuous and marked at switches', () => {
  fc.assert(
    fc.property(fc.array(run, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 65_535 }), (runs, firstSeq) => {
      const out: (RtpOutputPacket & { time: number })[] = [];
      let now = 0;
      const rewriter = new RtpOutputRewriter<number>(
        { outputs: 1, ssrcs: [0xabcdef], firstSequenceNumbers: [firstSeq], firstTimestamps: [7], clockRate: 48_000, extensionId: 1, outputExtensionId: 1 },
        (p) => out.push({ ...p, time: now }),
      );
      const push = (e: OutputEvent<number, RtpPacketInfo>) => {
        rewriter.push(e, now);
      };
      for (const r of runs) {
        now += r.gapBeforeMs;
        push({ type: 'output-pin', output: 0, source: r.ssrc });
        for (let k = 0; k < r.packets; k++) {
          if (k > 0) now += r.packetMs;
          const info = rtpPacket(r.ssrc, r.firstSeq + k, r.firstTs + 48 * r.packetMs * k, k);
          push({ type: 'output-pkt', output: 0, source: r.ssrc, level: -30, data: info });
        }
        push({ type: 'output-unpin', output: 0, source: r.ssrc });
      }
      expect(out.length).toBe(runs.reduce((n, r) => n + r.packets, 0));
      let index = 0;
      runs.forEach((r, n) => {
        const before = runs[n - 1];
        // One packet's duration of the run before: its own step once it has shown one, else 20 ms.
        const previousTicks = before !== undefined && before.packets > 1 ? 48 * before.packetMs : 960;
        for (let k = 0; k < r.packets; k++, index++) {
          const p = out[index] as (typeof out)[number];
          const parsed = new packets.RtpPacket(new DataView(p.datagram.buffer, p.datagram.byteOffset, p.datagram.byteLength));
          expect(parsed.getSsrc()).toBe(0xabcdef);
          expect(parsed.getSequenceNumber()).toBe((firstSeq + index) & 0xffff);
          expect(parsed.getMarker()).toBe(k === 0);
          expect(new Uint8Array(parsed.getPayload().buffer, parsed.getPayload().byteOffset, 4)).toStrictEqual(Uint8Array.of(k, 1, 2, 3));
          const previous = out[index - 1];
          if (previous === undefined) {
            expect(p.timestamp).toBe(7);
            continue;
          }
          const step = (p.timestamp - previous.timestamp) >>> 0;
          // Within a run, the source's own clock; across a switch, the real time elapsed, at least one packet's
          // duration, so that the new source's first packet never overlaps the audio of the one before.
          expect(step).toBe(k > 0 ? 48 * r.packetMs : Math.max(previousTicks, Math.round((p.time - previous.time) * 48)));
        }
      });
    }),
    { numRuns: 150 },
  );
});
