import { RtpHeader, RtpPacket } from 'werift';
import type { Extension } from 'werift';
import type { InvalidHandler, OutputEvent, OutputPacket } from '../../events/events.js';
import { isRtpNumbering, OutputStreams } from '../rtp/outputStreams.js';
import { levelBytes } from './audioLevel.js';

/** RFC 8285: the one-byte form carries ids 1..14; the two-byte form the rest. */
const ONE_BYTE_PROFILE = 0xbede;
const TWO_BYTE_PROFILE = 0x1000;
const LAST_ONE_BYTE_ID = 14;

/**
 * Options of {@link WeriftOutputWriter}.
 *
 * @group State machines
 */
export interface WeriftOutputWriterConfig {
  readonly outputs: number;
  /** The first sequence number and timestamp of each output stream (RFC 3550 wants them random). */
  readonly firstSequenceNumbers: readonly number[];
  readonly firstTimestamps: readonly number[];
  /** RTP clock rate of the payload, Hz. */
  readonly clockRate: number;
  /** The listener's id of the audio level extension, or `undefined` to write no extension. */
  readonly extensionId: number | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/** The one-byte payloads of the level element, one per byte value, shared by every packet written (never changed). */
const LEVEL_PAYLOADS: Buffer[] = [];

function levelPayload(byte: number): Buffer {
  let payload = LEVEL_PAYLOADS[byte];
  if (payload === undefined) {
    payload = Buffer.of(byte);
    LEVEL_PAYLOADS[byte] = payload;
  }
  return payload;
}

/**
 * Makes the mixer's output events for one listener into one werift packet stream per output, ready to write to a
 * werift `MediaStreamTrack`: the numbering of every output stream is `RtpOutputRewriter`'s (`toRtpOutputs`) (one sequence space
 * across switches, timestamps moved on by the real time elapsed at a switch, the marker bit on a switch). Each
 * packet written is a new werift `RtpPacket`: a new header with the rewritten numbers, the payload bytes shared with
 * the received packet (neither side writes them), and one header extension at most: the audio level element the
 * source's packet carried, byte for byte, under the listener's `extensionId` (in the two-byte RFC 8285 form when
 * the id is above 14, which werift does not choose by itself), or none when no id is given or the source's packet
 * had no level. Every other extension is dropped: werift's sender adds its own (mid, abs-send-time), and a copied
 * one could shadow them. The received packet is never modified. werift's sender sets the SSRC and payload type.
 *
 * `write(output, packet)` is called for each packet, then `emit(event)` for every event taken (pins and unpins
 * too), so the events pass through. Bad input is reported to `onInvalid` and dropped, never thrown: an event that is
 * not an output event or names an output it does not have (`invalid-event`), an `output-pkt` whose `data` is not a
 * werift `RtpPacket` (`invalid-event`), a packet or unpin for an output that does not hold that source
 * (`not-pinned`).
 *
 * @group State machines
 */
export class WeriftOutputWriter<S> extends OutputStreams<S, RtpPacket> {
  constructor(
    private readonly config: WeriftOutputWriterConfig,
    private readonly write: (output: number, packet: RtpPacket) => void,
    private readonly emit: (event: OutputEvent<S, RtpPacket>) => void,
  ) {
    super(config);
  }

  protected override onPinChange(event: OutputEvent<S, RtpPacket>): void {
    this.emit(event);
  }

  protected forward(event: OutputPacket<S, RtpPacket>, now: number): void {
    const packet: unknown = event.data;
    if (!isWeriftPacket(packet)) {
      this.report(
        'invalid-event',
        event,
        'the data of an output-pkt must be the werift RtpPacket fromWeriftTrack gave',
      );
      return;
    }
    const header = packet.header;
    const numbers = this.renumber(event.output, header.sequenceNumber, header.timestamp, header.marker, now);
    const copy = new RtpHeader();
    copy.payloadType = header.payloadType;
    copy.ssrc = header.ssrc;
    copy.sequenceNumber = numbers.sequenceNumber;
    copy.timestamp = numbers.timestamp;
    copy.marker = numbers.marker;
    if (header.csrc.length !== 0) copy.csrc = [...header.csrc];
    const extensionId = this.config.extensionId;
    const byte = extensionId === undefined ? undefined : levelBytes.get(packet);
    if (extensionId !== undefined && byte !== undefined) {
      const level: Extension = { id: extensionId, payload: levelPayload(byte) };
      copy.extensions = [level];
      copy.extensionProfile = extensionId > LAST_ONE_BYTE_ID ? TWO_BYTE_PROFILE : ONE_BYTE_PROFILE;
    }
    this.write(event.output, new RtpPacket(copy, packet.payload));
    this.emit(event);
  }
}

/** Whether `data` has what the writer reads of a werift `RtpPacket`: a header with numbers in range, a payload. */
function isWeriftPacket(data: unknown): data is RtpPacket {
  if (typeof data !== 'object' || data === null) return false;
  const { header, payload } = data as { header?: unknown; payload?: unknown };
  if (typeof header !== 'object' || header === null || !(payload instanceof Uint8Array)) return false;
  const h = header as Partial<Record<keyof RtpHeader, unknown>>;
  return (
    isRtpNumbering(h.sequenceNumber, h.timestamp, h.marker) &&
    Number.isInteger(h.payloadType) &&
    Number.isInteger(h.ssrc) &&
    Array.isArray(h.csrc)
  );
}
