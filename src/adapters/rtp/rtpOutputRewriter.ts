import { packets } from 'rtp.js';
import type { InvalidHandler, OutputPacket } from '../../events/events.js';
import { isRtpNumbering, OutputStreams } from './outputStreams.js';
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
export class RtpOutputRewriter<S> extends OutputStreams<S, RtpPacketInfo> {
  /** @throws RangeError when `outputs` is not an integer 1 .. `MAX_OUTPUTS`. */
  constructor(
    private readonly config: RtpOutputRewriterConfig,
    private readonly emit: (packet: RtpOutputPacket<S>) => void,
  ) {
    super(config);
  }

  protected forward(event: OutputPacket<S, RtpPacketInfo>, now: number): void {
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
    const { sequenceNumber, timestamp, marker } = this.renumber(
      output,
      info.sequenceNumber,
      info.timestamp,
      info.marker,
      now,
    );
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
    isRtpNumbering(info.sequenceNumber, info.timestamp, info.marker) &&
    (info.level === undefined || (typeof info.level === 'number' && info.level <= 0 && info.level >= -127))
  );
}
