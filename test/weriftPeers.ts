// Real werift peer connections on loopback, in one Node process, for the werift entry's tests and benchmark.
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpHeaderExtensionParameters,
  RtpHeader,
  RtpPacket,
  useAudioLevelIndication,
  useSdesMid,
  type RTCRtpTransceiver,
} from 'werift';

/**
 * A werift peer connection for loopback: host candidates on 127.0.0.1 only, no STUN, and the audio level extension
 * (new extension objects for every peer: werift writes their ids into them). `levelAfter` puts that many made-up
 * extensions before the level, so that it is negotiated under id `levelAfter + 2` (werift numbers its list from 1,
 * mid first).
 */
export function loopbackPeer(levelAfter = 0): RTCPeerConnection {
  const filler = Array.from(
    { length: levelAfter },
    (_, i) => new RTCRtpHeaderExtensionParameters({ uri: `urn:example:rx-audio-mixer:filler-${i}` }),
  );
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    headerExtensions: { audio: [useSdesMid(), ...filler, useAudioLevelIndication()], video: [] },
  });
}

/** Offers from `offerer`, answers from `answerer`, and waits until both are connected (at most `timeoutMs`). */
export async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection, timeoutMs = 20_000): Promise<void> {
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(answerer.localDescription!);
  await waitFor(() => offerer.connectionState === 'connected' && answerer.connectionState === 'connected', timeoutMs);
}

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs`, saying what it waited for. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'a condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A publisher: a sendonly audio track on its own peer connection. */
export interface Publisher {
  readonly pc: RTCPeerConnection;
  readonly track: MediaStreamTrack;
  readonly transceiver: RTCRtpTransceiver;
  /**
   * Writes one Opus-like packet (20 ms, 48 kHz) with the RFC 6464 level `level` dBov and the V bit; its payload's
   * second byte is `tag`, so that a receiver can tell whose packet it got.
   */
  send(level: number | undefined, voice?: boolean): void;
}

export function publisher(pc: RTCPeerConnection, tag = 0): Publisher {
  const track = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
  let sequenceNumber = Math.floor(Math.random() * 0x10000);
  let timestamp = Math.floor(Math.random() * 2 ** 32);
  return {
    pc,
    track,
    transceiver,
    send(level, voice = true) {
      const id = transceiver.headerExtensions.find((e) => e.uri.endsWith('ssrc-audio-level'))?.id;
      const header = new RtpHeader({ sequenceNumber, timestamp, payloadType: 111 });
      if (level !== undefined && id !== undefined) {
        header.extensions = [{ id, payload: Buffer.of((voice ? 0x80 : 0) | -level) }];
      }
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      timestamp = (timestamp + 960) >>> 0;
      // An Opus TOC byte (config 11: SILK WB 20 ms) and a few payload bytes.
      track.writeRtp(new RtpPacket(header, Buffer.from([0x58, tag, sequenceNumber & 0xff, 0x03])));
    },
  };
}
