import { packets } from 'rtp.js';
import type { InvalidHandler, OutputEvent } from '../events.js';
import { TimelessStage, typeOf } from '../stage.js';
import { AUDIO_LEVEL_URI, type RtpPacketInfo } from './rtpPacketInfo.js';

const { RtpPacket, rtpExtensionUriToType } = packets;
const AUDIO_LEVEL = rtpExtensionUriToType(AUDIO_LEVEL_URI);

/** One packet of an outgoing stream. */
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

/** Options of {@link RtpOutputRewriter}. */
export interface RtpOutputRewriterConfig {
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
  /** A new source was pinned since the last packet: re-anchor sequence numbers and timestamps. */
  switched: boolean;
  started: boolean;
  sequenceOffset: number;
  timestampOffset: number;
  lastSequenceNumber: number;
  lastTimestamp: number;
  lastTime: number;
}

/**
 * Rewrites the packets of each output into one stable RTP stream, as a listener's decoder wants it: its own SSRC,
 * sequence numbers that run on by one across switches (gaps and reordering within one source's run are kept, so
 * the receiver still sees loss), timestamps that move on by the real time elapsed across a switch and follow the
 * source's own clock within a run, the marker bit on the first packet after a switch, and the audio level extension
 * kept (under `outputExtensionId`). Payload bytes are copied untouched.
 */
export class RtpOutputRewriter<S> extends TimelessStage<OutputEvent<S, RtpPacketInfo>> {
  private readonly streams: OutputStream[];

  constructor(
    private readonly config: RtpOutputRewriterConfig,
    private readonly emit: (packet: RtpOutputPacket<S>) => void,
  ) {
    super();
    this.streams = Array.from({ length: config.outputs }, () => ({
      switched: true,
      started: false,
      sequenceOffset: 0,
      timestampOffset: 0,
      lastSequenceNumber: 0,
      lastTimestamp: 0,
      lastTime: 0,
    }));
  }

  protected handle(event: OutputEvent<S, RtpPacketInfo>, now: number): void {
    const type = typeOf(event);
    // Read `output` only from an object: bad input is reported, never thrown.
    const stream = type === undefined ? undefined : this.streams[event.output];
    if (stream === undefined) {
      this.config.onInvalid?.({
        reason: 'invalid-event',
        event,
        message: 'expected an output event of an output this stream has',
      });
      return;
    }
    if (type === 'output-pin') stream.switched = true;
    else if (type === 'output-pkt')
      this.forward(stream, event as OutputEvent<S, RtpPacketInfo> & { type: 'output-pkt' }, now);
  }

  private forward(stream: OutputStream, event: { output: number; source: S; data: RtpPacketInfo }, now: number): void {
    const info = event.data;
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
        // Move on by the real time since the last packet of this output: no jump either way beyond it.
        const elapsed = Math.max(1, Math.round(((now - stream.lastTime) * this.config.clockRate) / 1000));
        stream.sequenceOffset = stream.lastSequenceNumber + 1 - info.sequenceNumber;
        stream.timestampOffset = stream.lastTimestamp + elapsed - info.timestamp;
      }
    }
    const sequenceNumber = (info.sequenceNumber + stream.sequenceOffset) & 0xffff;
    const timestamp = (info.timestamp + stream.timestampOffset) >>> 0;
    const ssrc = this.config.ssrcs[output] ?? 0;

    // rtp.js writes header fields in place: work on a copy, so that the incoming datagram stays as it was.
    const copy = info.datagram.slice();
    const packet = new RtpPacket(new DataView(copy.buffer));
    packet.setSsrc(ssrc);
    packet.setSequenceNumber(sequenceNumber);
    packet.setTimestamp(timestamp);
    packet.setMarker(marker);
    if (
      this.config.outputExtensionId !== this.config.extensionId &&
      info.level !== undefined &&
      AUDIO_LEVEL !== undefined
    ) {
      packet.deleteExtension(this.config.extensionId);
      packet.setExtensionMapping({ [AUDIO_LEVEL]: this.config.outputExtensionId });
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
