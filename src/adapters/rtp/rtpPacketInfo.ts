/**
 * What the RTP adapter knows of one packet: the header fields the mixer and the rewriter need, and the bytes.
 *
 * @group Wire formats
 */
export interface RtpPacketInfo {
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payloadType: number;
  /** The RFC 6464 level in dBov (0 loudest, -127 silence), or `undefined` when the packet carries no level. */
  readonly level: number | undefined;
  /** The RFC 6464 V bit: whether the sender's voice activity detector heard voice. */
  readonly voiceActivity: boolean | undefined;
  /** The RTP payload (a view into `datagram`). */
  readonly payload: Uint8Array;
  /** The whole datagram as received. */
  readonly datagram: Uint8Array;
}

/**
 * The URI of the RFC 6464 client-to-mixer audio level header extension, as signalled in SDP `a=extmap`.
 *
 * @group Wire formats
 */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
