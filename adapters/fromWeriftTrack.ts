import { Observable } from 'rxjs';
import type { MediaStreamTrack, RTCPeerConnection, RtpPacket } from 'werift';
import type { InvalidHandler, SourceEvent } from '../src/events/events.js';
import { checkExtensionId, checkOnInvalid, checkOptionsObject } from '../src/options/checks.js';
import { levelOfByte } from '../src/events/levels.js';
import { levelBytes, NO_LEVEL, readLevelByte } from '../src/adapters/werift/audioLevel.js';

/**
 * Options of {@link fromWeriftTrack}.
 *
 * @group Operators
 */
export interface FromWeriftTrackOptions<S> {
  /** The source id of the track's packets in the mixer (a participant, a track id). */
  readonly source: S;
  /**
   * The id negotiated for the audio level extension on the track's transceiver ({@link audioLevelExtensionId}), 1..255,
   * or `undefined` when none was negotiated: the packets then have no level.
   */
  readonly extensionId: number | undefined;
  /** The peer connection the track arrived on: its `closed` or `failed` connection state ends the source. */
  readonly peerConnection?: Pick<RTCPeerConnection, 'connectionState' | 'connectionStateChange'> | undefined;
  /** Receives a `malformed-rtp` report (`problem: 'bad-extension'`) for a packet whose level element is malformed. */
  readonly onInvalid?: InvalidHandler | undefined;
}

/** Whether `value[event]` looks like a werift `Event` (an object with `subscribe`), checked on an unknown value. */
function hasSubscribe(value: unknown, event: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const field: unknown = (value as Record<string, unknown>)[event];
  return (
    typeof field === 'object' && field !== null && typeof (field as { subscribe?: unknown }).subscribe === 'function'
  );
}

/** The connection states after which no packet comes again. */
function isOver(state: string): boolean {
  return state === 'closed' || state === 'failed';
}

/**
 * The source events of one received werift track, for the mixer: `source-added` on subscribe, one `source-pkt` per
 * RTP packet, then `source-removed` and complete when the track stops or the given peer connection reaches `closed`
 * or `failed`.
 *
 * Each packet's `data` is werift's `RtpPacket` as received, never modified (werift hands the same object to every
 * subscriber of the track). Its level is the RFC 6464 audio level element with id `extensionId`: minus the low 7
 * bits of its byte (the high bit is the V bit, voice activity). A packet without the element has no level (the
 * mixer takes it as silence; some senders send none), and is not reported; a malformed element (empty, or other
 * than one byte) gives no level and is reported to `onInvalid` as `{ reason: 'malformed-rtp', problem:
 * 'bad-extension' }`, the packet still passed on.
 *
 * The Observable is cold: nothing is attached to werift until it is subscribed, and each subscription is a source of
 * its own. Unsubscribing detaches from werift (`onReceiveRtp` and the connection state) and emits nothing more.
 * werift's `onReceiveRtp` never completes by itself while the track is not stopped, a remote track does not know its
 * peer connection, and werift notices a peer that vanished only when ICE consent expires (about 30 s): pass
 * `peerConnection`, and end a participant's sources yourself (unsubscribe, or `takeUntil`) when the application
 * knows they left.
 *
 * ```
 * track:   --p--p-----p--|      p: an RTP packet; |: the track stops
 * fromWeriftTrack(track, { source: 'alice', extensionId: 1 })
 * output:  a-P--P-----P--(r|)   a: source-added; P: source-pkt; r: source-removed
 * ```
 *
 * ## Example
 * <!-- illustration -->
 * ```ts
 * pc.onTrack.subscribe((track) => {
 *   const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track);
 *   const extensionId = transceiver && audioLevelExtensionId(transceiver);
 *   room$.next(fromWeriftTrack(track, { source: participantId, extensionId, peerConnection: pc }));
 * });
 * ```
 *
 * @param track A werift `MediaStreamTrack` received on a peer connection.
 * @param options `source` and `extensionId` (required), `peerConnection`, `onInvalid`.
 * @return An Observable of the track's source events.
 *
 * @group Operators
 */
export function fromWeriftTrack<S>(
  track: Pick<MediaStreamTrack, 'onReceiveRtp' | 'stopped'>,
  options: FromWeriftTrackOptions<S>,
): Observable<SourceEvent<S, RtpPacket>> {
  if (!hasSubscribe(track, 'onReceiveRtp')) {
    throw new TypeError("rx-audio-mixer: 'track' must be a werift MediaStreamTrack");
  }
  checkOptionsObject(options);
  const source = options.source;
  if (source === undefined) throw new TypeError("rx-audio-mixer: option 'source' is required");
  const extensionId =
    options.extensionId === undefined ? undefined : checkExtensionId('extensionId', options.extensionId);
  const peerConnection = options.peerConnection;
  if (peerConnection !== undefined && !hasSubscribe(peerConnection, 'connectionStateChange')) {
    throw new TypeError("rx-audio-mixer: option 'peerConnection' must be a werift RTCPeerConnection");
  }
  const onInvalid = checkOnInvalid(options.onInvalid);
  const added: SourceEvent<S, RtpPacket> = { type: 'source-added', source };
  const removed: SourceEvent<S, RtpPacket> = { type: 'source-removed', source };

  return new Observable<SourceEvent<S, RtpPacket>>((subscriber) => {
    let receiving: { unSubscribe(): void } | undefined;
    let watching: { unSubscribe(): void } | undefined;
    let ended = false;
    const detach = (): void => {
      receiving?.unSubscribe();
      watching?.unSubscribe();
      receiving = undefined;
      watching = undefined;
    };
    const end = (): void => {
      if (ended) return;
      ended = true;
      detach();
      subscriber.next(removed);
      subscriber.complete();
    };

    subscriber.next(added);
    if (subscriber.closed) return;
    if (track.stopped || (peerConnection !== undefined && isOver(peerConnection.connectionState))) {
      end();
      return;
    }
    receiving = track.onReceiveRtp.subscribe((packet: RtpPacket) => {
      if (ended) return;
      if (extensionId === undefined) {
        subscriber.next({ type: 'source-pkt', source, data: packet });
        return;
      }
      const byte = readLevelByte(packet, extensionId, onInvalid);
      if (byte === NO_LEVEL) {
        subscriber.next({ type: 'source-pkt', source, data: packet });
        return;
      }
      levelBytes.set(packet, byte);
      subscriber.next({ type: 'source-pkt', source, level: levelOfByte(byte), data: packet });
    }, end);
    if (peerConnection !== undefined) {
      watching = peerConnection.connectionStateChange.subscribe((state: string) => {
        if (isOver(state)) end();
      }, end);
    }
    return () => {
      ended = true;
      detach();
    };
  });
}
