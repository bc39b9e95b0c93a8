import type { OperatorFunction } from 'rxjs';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { checkExtensionId, checkOnInvalid, checkOptionsObject } from '../src/options/checks.js';
import { RtpReader } from '../src/adapters/rtp/rtpReader.js';
import type { RtpPacketInfo } from '../src/adapters/rtp/rtpPacketInfo.js';
import { fromStage } from '../operators/internal/fromStage.js';

/**
 * Options of {@link fromRtpPackets}.
 *
 * @group Operators
 */
export interface FromRtpPacketsOptions<S> {
  /** The audio level extension id from SDP `a=extmap:<id> urn:ietf:params:rtp-hdrext:ssrc-audio-level`; 1..255. */
  readonly extensionId: number;
  /** The source id of a packet; default its SSRC. */
  readonly sourceOf?: ((packet: RtpPacketInfo) => S) | undefined;
  /** Receives a `malformed-rtp` report, with the `problem`, for every datagram that is not usable RTP. */
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Turns RTP datagrams (one `Uint8Array` per UDP datagram) into source events for the mixer.
 *
 * The source is the SSRC (or `sourceOf(packet)`), the level comes from the RFC 6464 audio level header extension in
 * either RFC 8285 form, and `data` is the parsed packet ({@link RtpPacketInfo}: header fields, V bit, payload and
 * the datagram itself). A packet without the extension has no level, which the mixer takes as silence. Truncated
 * headers, wrong versions, extensions or padding running past the end, impossible CSRC counts, empty payloads, RTCP
 * and other bytes on the same port are reported (`reason: 'malformed-rtp'`) and dropped; the stream goes on.
 *
 * ```
 * datagrams:  a--x--b--|        a, b: RTP packets; x: an RTCP report
 * fromRtpPackets({ extensionId: 1 })
 * output:     A-----B--|        A, B: source-pkt events (x is reported)
 * ```
 *
 * ## Example
 * ```ts
 * import { audioMixer } from 'rx-audio-mixer';
 * import { fromRtpPackets, toRtpOutputs } from 'rx-audio-mixer/rtp';
 *
 * datagrams$.pipe(
 *   fromRtpPackets({ extensionId: 1 }),
 *   audioMixer({ outputs: 3 }),
 *   toRtpOutputs({ outputs: 3, extensionId: 1 }),
 * ).subscribe(({ output, datagram }) => socket.send(datagram, listenerPort + 2 * output, listenerHost));
 * ```
 *
 * @param options `extensionId` (required), `sourceOf`, `onInvalid`.
 * @return A function that returns an Observable of `source-pkt` events.
 *
 * @group Operators
 */
export function fromRtpPackets<S = number>(
  options: FromRtpPacketsOptions<S>,
): OperatorFunction<Uint8Array, SourceEvent<S, RtpPacketInfo>> {
  checkOptionsObject(options);
  const extensionId = checkExtensionId('extensionId', options.extensionId);
  if (options.sourceOf !== undefined && typeof options.sourceOf !== 'function') {
    throw new TypeError("rx-audio-mixer: option 'sourceOf' must be a function");
  }
  const sourceOf = options.sourceOf ?? ((packet: RtpPacketInfo) => packet.ssrc as S);
  const config = { extensionId, sourceOf, onInvalid: checkOnInvalid(options.onInvalid) };
  return fromStage((emit) => new RtpReader<S>(config, emit));
}
