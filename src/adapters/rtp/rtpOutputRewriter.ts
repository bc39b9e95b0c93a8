import { packets } from 'rtp.js';
import type { InvalidHandler, InvalidReason, OutputEvent } from '../../events/events.js';
import { show } from '../../events/show.js';
import { TimelessStage } from '../../stages/stage.js';
import { checkOutputs } from '../../options/checks.js';
import { reportInvalidEvent, typeOf, report } from '../../events/reports.js';
import { AUDIO_LEVEL_URI, type RtpPacketInfo } from './rtpPacketInfo.js';

const { RtpPacket, rtpExtensionUriToType } = packets;
const AUDIO_LEVEL = rtpExtensionUriToType(AUDIO_LEVEL_URI);

/**
 * One packet of an outgoing stream.
 *
 * @group State machines
 */
export interface RtpOutputPacket<S = number> {
  readonly output: number;
  /** The source whose payload this is. */
  readonly source: S;
  /** The rewritten datagram, ready to send. */
  readonly datagram: Uint8Array;
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
}

/**
 * Options of {@link RtpOutputRewriter}.
 *
 * @group State machines
 */
export interface RtpOutputRewriterConfig {
  /** How many outputs the mixer has: an integer 1 .. `MAX_OUTPUTS` (1024), checked by the constructor. */
  readonly outputs: number;
  /** The SSRC of each output stream. */
  readonly ssrcs: readonly number[];
  /** The first sequence number and timestamp of each output stream (RFC 3550 wants them random). */
  readonly firstSequenceNumbers: readonly number[];
  readonly firstTimestamps: readonly number[];
  /** RTP clock rate of the payload, Hz. */
  readonly clockRate: number;
  /** The audio level extension id of the incoming packets. */
  readonly extensionId: number;
  /** The audio level extension id to write on outgoing packets; default the incoming id. */
  readonly outputExtensionId: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

interface OutputStream {
  /** Whether a source is pinned to this output, and which. */
  pinned: boolean;
  source: unknown;
  /** A new source was pinned since the last packet: re-anchor sequence numbers and timestamps. */
  switched: boolean;
  started: boolean;
  sequenceOffset: number;
  timestampOffset: number;
  lastSequenceNumber: number;
  lastTimestamp: number;
  /** The timestamp step of the last packet in this run, in RTP ticks: one packet's duration. */
  packetTicks: number;
  lastTime: number;
}

/** The longest packet taken as one packet's duration (a longer step is a gap, not a packet): 120 ms, Opus' longest. */
const LONGEST_PACKET_MS = 120;
/** One packet's duration before a run has shown its own: 20 ms, the usual audio packet. */
const DEFAULT_PACKET_MS = 20;

/**
 * Rewrites the packets of each output into one stable RTP stream, as a listener's decoder wants it: its own SSRC,
 * sequence numbers that run on by one across switches (gaps and reordering within one source's run are kept, so
 * the receiver still sees loss), timestamps that follow the source's own clock within a run and, across a switch,
 * move on by the real time elapsed but at least by one packet's duration (the timestamp step of the last packet of
 * the run before, or 20 ms), so that the new source's first packet never overlaps the previous one's audio; the
 * marker bit on the first packet after a switch, and the audio level extension kept (under `outputExtensionId`,
 * written in the two-byte RFC 8285 form when that id is above 14). Payload bytes are copied untouched into a new
 * datagram: the incoming one is never modified, and a pooled Node `Buffer` is read only within its bounds.
 *
 * Bad input is reported to `onInvalid`, never thrown: an event that is not an output event (`invalid-event`), an
 * `output` that is not one of this stream's outputs (`invalid-event`), a packet whose `data` is not an
 * {@link RtpPacketInfo} (`invalid-event`) or whose datagram is not RTP (`malformed-rtp`), a packet or unpin for an
 * output that does not hold that source (`not-pinned`).
 *
 * @group State machines
 */
export class RtpOutputRewriter<S> extends TimelessStage<OutputEvent<S, RtpPacketInfo>> {
  /** The stream of each output once it was first pinned: memory grows with the outputs used, not `outputs`. */
  private readonly streams: (OutputStream | undefined)[] = [];
  private readonly defaultPacketTicks: number;

  /** @throws RangeError when `outputs` is not an integer 1 .. `MAX_OUTPUTS`. */
  constructor(
    private readonly config: RtpOutputRewriterConfig,
    private readonly emit: (packet: RtpOutputPacket<S>) => void,
  ) {
    super();
    checkOutputs(config.outputs);
    this.defaultPacketTicks = Math.round((config.clockRate * DEFAULT_PACKET_MS) / 1000);
  }

  private newStream(): OutputStream {
    return {
      pinned: false,
      source: undefined,
      switched: true,
      started: false,
      sequenceOffset: 0,
      timestampOffset: 0,
      lastSequenceNumber: 0,
      lastTimestamp: 0,
      packetTicks: this.defaultPacketTicks,
      lastTime: 0,
    };
  }

  protected handle(event: OutputEvent<S, RtpPacketInfo>, now: number): void {
    const type = typeOf(event);
    if (type !== 'output-pin' && type !== 'output-pkt' && type !== 'output-unpin') {
      reportInvalidEvent(this.config.onInvalid, event, 'an output event');
      return;
    }
    // Only an integer in range indexes the streams: `'length'` or `'__proto__'` must never reach the array.
    const output: unknown = event.output;
    if (typeof output !== 'number' || !Number.isInteger(output) || output < 0 || output >= this.config.outputs) {
      this.report('invalid-event', event, `output ${show(output)} is not one of outputs 0..${this.config.outputs - 1}`);
      return;
    }
    let stream = this.streams[output];
    if (type === 'output-pin') {
      if (stream === undefined) {
        while (this.streams.length < output) this.streams.push(undefined); // packed, never holey
        stream = this.newStream();
        this.streams[output] = stream;
      }
      stream.pinned = true;
      stream.source = event.source;
      stream.switched = true;
      return;
    }
    if (stream === undefined || !stream.pinned || stream.source !== event.source) {
      this.report('not-pinned', event, `output ${output} does not hold source ${show(event.source)}`);
      return;
    }
    if (type === 'output-unpin') {
      stream.pinned = false;
      stream.source = undefined;
      return;
    }
    this.forward(stream, event as OutputEvent<S, RtpPacketInfo> & { type: 'output-pkt' }, now);
  }

  private report(reason: InvalidReason, event: unknown, message: string): void {
    report(this.config.onInvalid, reason, event, message);
  }

  private forward(stream: OutputStream, event: { output: number; source: S; data: RtpPacketInfo }, now: number): void {
    const info: unknown = event.data;
    if (!isRtpPacketInfo(info)) {
      this.report('invalid-event', event, 'the data of an output-pkt must be the RtpPacketInfo fromRtpPackets made');
      return;
    }
    // rtp.js writes header fields in place: work on an exact copy, so the incoming datagram stays as it was (a
    // Buffer's bytes may sit in a shared pool: copy only its own).
    const copy = new Uint8Array(info.datagram.byteLength);
    copy.set(info.datagram);
    let packet: InstanceType<typeof RtpPacket>;
    try {
      packet = new RtpPacket(new DataView(copy.buffer));
    } catch (error) {
      this.report(
        'malformed-rtp',
        event,
        `the datagram is not RTP: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }

    const output = event.output;
    let marker = info.marker;
    if (stream.switched) {
      marker = true;
      stream.switched = false;
      if (!stream.started) {
        stream.started = true;
        stream.sequenceOffset = (this.config.firstSequenceNumbers[output] ?? 0) - info.sequenceNumber;
        stream.timestampOffset = (this.config.firstTimestamps[output] ?? 0) - info.timestamp;
      } else {
        // Move on by the real time since the last packet of this output, and by at least that packet's duration.
        const elapsed = Math.round(((now - stream.lastTime) * this.config.clockRate) / 1000);
        stream.sequenceOffset = stream.lastSequenceNumber + 1 - info.sequenceNumber;
        stream.timestampOffset = stream.lastTimestamp + Math.max(elapsed, stream.packetTicks) - info.timestamp;
      }
      stream.packetTicks = this.defaultPacketTicks;
    }
    const sequenceNumber = (info.sequenceNumber + stream.sequenceOffset) & 0xffff;
    const timestamp = (info.timestamp + stream.timestampOffset) >>> 0;
    if (!marker && sequenceNumber === ((stream.lastSequenceNumber + 1) & 0xffff)) {
      // The step from the packet before, in the same run: one packet's duration, if it is one.
      const step = (timestamp - stream.lastTimestamp) >>> 0;
      if (step > 0 && step <= (this.config.clockRate * LONGEST_PACKET_MS) / 1000) stream.packetTicks = step;
    }
    const ssrc = this.config.ssrcs[output] ?? 0;

    packet.setSsrc(ssrc);
    packet.setSequenceNumber(sequenceNumber);
    packet.setTimestamp(timestamp);
    packet.setMarker(marker);
    const outputId = this.config.outputExtensionId;
    if (outputId !== this.config.extensionId && info.level !== undefined && AUDIO_LEVEL !== undefined) {
      packet.deleteExtension(this.config.extensionId);
      // The one-byte form carries ids 1..14 only (RFC 8285 section 4.2); above, the two-byte form.
      if (outputId > 14) packet.enableTwoBytesExtensions();
      packet.setExtensionMapping({ [AUDIO_LEVEL]: outputId });
      packet.setSsrcAudioLevelExtension({ volume: -info.level, voice: info.voiceActivity ?? false });
    }
    const view = packet.getView();
    const datagram = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

    stream.lastSequenceNumber = sequenceNumber;
    stream.lastTimestamp = timestamp;
    stream.lastTime = now;
    this.emit({ output, source: event.source, datagram, ssrc, sequenceNumber, timestamp, marker });
  }
}

/** Whether `data` has what the rewriter reads: header fields in range, and a datagram at least a header long. */
function isRtpPacketInfo(data: unknown): data is RtpPacketInfo {
  if (typeof data !== 'object' || data === null) return false;
  const info = data as Partial<Record<keyof RtpPacketInfo, unknown>>;
  return (
    info.datagram instanceof Uint8Array &&
    info.datagram.byteLength >= 12 &&
    Number.isInteger(info.sequenceNumber) &&
    (info.sequenceNumber as number) >= 0 &&
    (info.sequenceNumber as number) <= 0xffff &&
    Number.isInteger(info.timestamp) &&
    (info.timestamp as number) >= 0 &&
    (info.timestamp as number) <= 0xffffffff &&
    typeof info.marker === 'boolean' &&
    (info.level === undefined || (typeof info.level === 'number' && info.level <= 0 && info.level >= -127))
  );
}
