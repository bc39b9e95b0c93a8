import type { RtpPacket } from 'werift';
import type { InvalidHandler, InvalidReport } from '../../events/events.js';
import { report } from '../../events/reports.js';
import { AUDIO_LEVEL_URI } from '../rtp/rtpPacketInfo.js';

/**
 * The report of a packet whose audio level element is malformed: empty, or not the one byte RFC 6464 defines. The
 * packet itself is kept, without a level.
 *
 * @group Wire formats
 */
export interface MalformedLevelReport extends InvalidReport {
  readonly reason: 'malformed-rtp';
  readonly problem: 'bad-extension';
  /** The werift packet, as received (not modified). */
  readonly event: RtpPacket;
}

/**
 * The id negotiated for the RFC 6464 audio level header extension (`urn:ietf:params:rtp-hdrext:ssrc-audio-level`) on
 * a werift transceiver, or `undefined` when the extension was not negotiated (werift negotiates it only with
 * `headerExtensions: { audio: [useAudioLevelIndication(), ...] }` in the peer connection's configuration). Read it
 * once the remote description is set: before, the transceiver holds the local offer's ids, or none.
 *
 * @param transceiver A werift `RTCRtpTransceiver` (a receiving one for {@link fromWeriftTrack}, a sending one for
 * {@link toWeriftTracks}).
 * @return The extension id, 1..255, or `undefined`.
 *
 * @group Operators
 */
export function audioLevelExtensionId(transceiver: {
  readonly headerExtensions: readonly { readonly id: number; readonly uri: string }[];
}): number | undefined {
  for (const extension of transceiver.headerExtensions) {
    if (extension.uri === AUDIO_LEVEL_URI) return extension.id;
  }
  return undefined;
}

/** What {@link readLevelByte} answers for a packet without the element. */
export const NO_LEVEL = -1;

/**
 * The RFC 6464 byte (V bit, then the level in -dBov) of the element with id `extensionId` among a packet's parsed
 * extensions, or {@link NO_LEVEL} when there is none, or none well formed (reported to `onInvalid`).
 */
export function readLevelByte(packet: RtpPacket, extensionId: number, onInvalid: InvalidHandler | undefined): number {
  const extensions = packet.header.extensions;
  for (let i = 0; i < extensions.length; i++) {
    const extension = extensions[i]!;
    if (extension.id !== extensionId) continue;
    const payload = extension.payload;
    if (payload.length === 1) return payload[0]!;
    const details: Pick<MalformedLevelReport, 'problem'> = { problem: 'bad-extension' };
    report(
      onInvalid,
      'malformed-rtp',
      packet,
      `the audio level element (id ${extensionId}) has ${payload.length} bytes, RFC 6464 defines 1: no level`,
      details,
    );
    return NO_LEVEL;
  }
  return NO_LEVEL;
}

/**
 * The level byte each packet read by `fromWeriftTrack` carried, for `toWeriftTracks` to write it again under the
 * listener's id: the packet itself is never changed, and each publisher may have negotiated another id.
 */
export const levelBytes = new WeakMap<RtpPacket, number>();
