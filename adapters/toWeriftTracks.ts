import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from 'werift';
import type { InvalidHandler, OutputEvent } from '../src/events/events.js';
import {
  MAX_OUTPUTS,
  checkExtensionId,
  checkOnInvalid,
  checkOptionsObject,
  checkScheduler,
} from '../src/options/checks.js';
import { WeriftOutputWriter } from '../src/adapters/werift/weriftOutputWriter.js';
import { fromStage } from '../operators/internal/fromStage.js';

/**
 * Options of {@link toWeriftTracks}.
 *
 * @group Operators
 */
export interface ToWeriftTracksOptions {
  /**
   * The listener's id of the audio level extension ({@link audioLevelExtensionId} of the transceiver sending the
   * tracks), 1..255; none: the packets are written without extensions.
   */
  readonly extensionId?: number | undefined;
  /** Receives a report for every event dropped. */
  readonly onInvalid?: InvalidHandler | undefined;
  /** Where the time of each packet comes from, to move timestamps on across a switch; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** RTP clock rate of the payload; default 48000 (Opus). */
  readonly clockRate?: number | undefined;
}

/**
 * Writes one listener's output events to werift tracks: each `output-pkt` to `tracks[output]` (with
 * `MediaStreamTrack.writeRtp`), every event passed through.
 *
 * What is written is a copy of the received packet, never the packet itself (werift's sender changes what it is
 * given, and the same packet goes to many listeners). Each output's stream keeps one sequence space and continuous
 * timestamps across switches, as `toRtpOutputs` does, with the marker bit on the first packet after a switch; werift's
 * sender then sets the track's own SSRC and payload type. The audio level element the source's packet carried is
 * written under the listener's `extensionId` (in the two-byte RFC 8285 form for ids 15 and above), and every other
 * extension is dropped, so werift's own mid and abs-send-time are never shadowed; without `extensionId` no extension
 * is written. Packets written before the peer connection's DTLS is up are dropped by werift.
 *
 * Bad input is reported to `onInvalid` and dropped, never thrown: an event that is not an output event or names an
 * output there is no track for (`invalid-event`), an `output-pkt` whose `data` is not a werift `RtpPacket`
 * (`invalid-event`), a packet or unpin for an output that does not hold that source (`not-pinned`).
 *
 * ```
 * mixer:   P-K-K-(UQ)K-|      P: pin 0 alice; K: output-pkt; U, Q: unpin alice, pin bob
 * toWeriftTracks([track])
 * output:  P-K-K-(UQ)K-|      the same events; track gets a (marker, seq n), b (n+1), c (bob's, marker, n+2)
 * ```
 *
 * ## Example
 * <!-- illustration -->
 * ```ts
 * const transceivers = [0, 1, 2].map(() => pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' }));
 * // after negotiation:
 * room.listener({ exclude: me }).pipe(
 *   toWeriftTracks(transceivers.map((t) => t.sender.track!), { extensionId: audioLevelExtensionId(transceivers[0]!) }),
 * ).subscribe();
 * ```
 *
 * @param tracks The listener's local werift `MediaStreamTrack`s (or anything with `writeRtp`), one per output of the
 * mixer, in output order.
 * @param options `extensionId`, `onInvalid`, `scheduler`, `clockRate`.
 * @return A function that returns an Observable of the same events.
 *
 * @group Operators
 */
export function toWeriftTracks<S>(
  tracks: readonly { writeRtp(packet: RtpPacket): void }[],
  options: ToWeriftTracksOptions = {},
): MonoTypeOperatorFunction<OutputEvent<S, RtpPacket>> {
  // Array.isArray narrows a readonly array to any[]: ask it of a copy of the value, typed unknown.
  const given: unknown = tracks;
  if (!Array.isArray(given) || given.length === 0) {
    throw new TypeError("rx-audio-mixer: 'tracks' must be a non-empty array of werift MediaStreamTracks");
  }
  if (given.length > MAX_OUTPUTS) {
    throw new RangeError(
      `rx-audio-mixer: 'tracks' must hold at most ${MAX_OUTPUTS} tracks (one per output), got ${given.length}`,
    );
  }
  tracks.forEach((track: unknown, i) => {
    const t = track as { writeRtp?: unknown; remote?: unknown } | null;
    if (typeof t !== 'object' || t === null || typeof t.writeRtp !== 'function' || t.remote === true) {
      throw new TypeError(`rx-audio-mixer: 'tracks[${i}]' must be a local werift MediaStreamTrack (one to send)`);
    }
  });
  checkOptionsObject(options);
  const extensionId =
    options.extensionId === undefined ? undefined : checkExtensionId('extensionId', options.extensionId);
  const clockRate = options.clockRate ?? 48000;
  if (!Number.isInteger(clockRate) || clockRate <= 0) {
    throw new RangeError(`rx-audio-mixer: option 'clockRate' must be a positive integer, got ${String(clockRate)}`);
  }
  const onInvalid = checkOnInvalid(options.onInvalid);
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  const targets = [...tracks];
  const outputs = targets.length;
  const random = (range: number): number[] => Array.from({ length: outputs }, () => Math.floor(Math.random() * range));
  const write = (output: number, packet: RtpPacket): void => {
    targets[output]!.writeRtp(packet);
  };
  return fromStage(
    (emit) =>
      new WeriftOutputWriter<S>(
        {
          outputs,
          extensionId,
          clockRate,
          // New for every subscription: a listener's streams start at random numbers, as RFC 3550 asks.
          firstSequenceNumbers: random(2 ** 16),
          firstTimestamps: random(2 ** 32),
          onInvalid,
        },
        write,
        emit,
      ),
    scheduler,
  );
}
