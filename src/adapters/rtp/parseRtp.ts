import { packets } from 'rtp.js';
import type { RtpPacketInfo } from './rtpPacketInfo.js';
import { levelOfByte } from '../../events/levels.js';

const { RtpPacket, isRtp } = packets;

/**
 * Why a datagram is not an RTP packet the mixer can use.
 *
 * @group Wire formats
 */
export type RtpProblem =
  'truncated' | 'not-rtp' | 'rtcp' | 'bad-csrc-count' | 'bad-extension' | 'bad-padding' | 'empty-payload';

/**
 * A datagram that could not be used, and why.
 *
 * @group Wire formats
 */
export interface RtpParseFailure {
  readonly problem: RtpProblem;
  readonly message: string;
}

const FIXED_HEADER = 12;

/**
 * Parses one UDP datagram as RTP with rtp.js, reading the audio level from the RFC 6464 header extension with id
 * `extensionId` (one-byte or two-byte RFC 8285 form, as rtp.js reads both). rtp.js checks the structure (version,
 * lengths of CSRC list, extension and padding); this adds what it leaves to the caller: RTCP multiplexed on the same
 * port (RFC 5761: payload types 192..223 with the marker bit), a zero padding count and an empty payload.
 *
 * @group Wire formats
 */
export function parseRtp(datagram: Uint8Array, extensionId: number): RtpPacketInfo | RtpParseFailure {
  if (datagram.byteLength < FIXED_HEADER) {
    return fail('truncated', `${datagram.byteLength} bytes is shorter than the 12-byte RTP header`);
  }
  const first = datagram[0] ?? 0;
  const second = datagram[1] ?? 0;
  if (first >> 6 !== 2) return fail('not-rtp', `RTP version ${first >> 6}, expected 2`);
  if (second >= 192 && second <= 223) return fail('rtcp', `RTCP packet type ${second} on the RTP port`);
  const csrcBytes = (first & 0x0f) * 4;
  if (FIXED_HEADER + csrcBytes > datagram.byteLength) {
    return fail(
      'bad-csrc-count',
      `CSRC count ${first & 0x0f} needs ${FIXED_HEADER + csrcBytes} bytes, the datagram has ${datagram.byteLength}`,
    );
  }
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (!isRtp(view)) return fail('not-rtp', 'rtp.js does not take it for RTP');
  try {
    return read(new RtpPacket(view), datagram, extensionId);
  } catch (error) {
    // rtp.js throws on structure it cannot walk; nothing it throws may end the caller's stream.
    const message = error instanceof Error ? error.message : String(error);
    return fail(/padding/i.test(message) ? 'bad-padding' : 'bad-extension', `rtp.js: ${message}`);
  }
}

function read(
  packet: InstanceType<typeof RtpPacket>,
  datagram: Uint8Array,
  extensionId: number,
): RtpPacketInfo | RtpParseFailure {
  const first = datagram[0] ?? 0;
  if ((first & 0x20) !== 0 && datagram[datagram.byteLength - 1] === 0) {
    return fail('bad-padding', 'padding bit set with a padding count of 0 (RFC 3550 requires at least 1)');
  }
  const payload = packet.getPayload();
  if (payload.byteLength === 0) return fail('empty-payload', 'the RTP payload is empty');
  // RFC 6464: one byte, V then the level in -dBov. RFC 8285 lets a two-byte element be empty: no level then.
  const element = packet.getExtension(extensionId);
  const byte = element !== undefined && element.byteLength >= 1 ? element.getUint8(0) : undefined;
  return {
    ssrc: packet.getSsrc(),
    sequenceNumber: packet.getSequenceNumber(),
    timestamp: packet.getTimestamp(),
    marker: packet.getMarker(),
    payloadType: packet.getPayloadType(),
    level: byte === undefined ? undefined : levelOfByte(byte),
    voiceActivity: byte === undefined ? undefined : (byte & 0x80) !== 0,
    payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength),
    datagram,
  };
}

function fail(problem: RtpProblem, message: string): RtpParseFailure {
  return { problem, message };
}

/**
 * Whether a parse result is a failure.
 *
 * @group Wire formats
 */
export function isRtpParseFailure(result: RtpPacketInfo | RtpParseFailure): result is RtpParseFailure {
  return 'problem' in result;
}
