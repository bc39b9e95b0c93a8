import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { InvalidHandler, OutputEvent } from '../src/events/events.js';
import {
  checkExtensionId,
  checkOnInvalid,
  checkOptionsObject,
  checkOutputs,
  checkScheduler,
} from '../src/options/checks.js';
import { RtpOutputRewriter, type RtpOutputPacket } from '../src/adapters/rtp/rtpOutputRewriter.js';
import type { RtpPacketInfo } from '../src/adapters/rtp/rtpPacketInfo.js';
import { fromStage } from '../operators/internal/fromStage.js';

/**
 * Options of {@link toRtpOutputs}.
 *
 * @group Operators
 */
export interface ToRtpOutputsOptions {
  /** How many outputs the mixer has: an integer 1 .. `MAX_OUTPUTS` (1024). */
  readonly outputs: number;
  /** The audio level extension id of the incoming packets. */
  readonly extensionId: number;
  /** The id to give the audio level extension on the way out (the listener's `a=extmap`); default `extensionId`. */
  readonly outputExtensionId?: number | undefined;
  /** SSRC of each output stream; default random. */
  readonly ssrcs?: readonly number[] | undefined;
  /** First sequence number and timestamp of each output; default random, as RFC 3550 asks. */
  readonly firstSequenceNumbers?: readonly number[] | undefined;
  readonly firstTimestamps?: readonly number[] | undefined;
  /** RTP clock rate of the payload; default 48000 (Opus). */
  readonly clockRate?: number | undefined;
  /** Where the time of each packet comes from, to move timestamps on across a switch; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Rewrites the mixer's output events into one stable RTP stream per output, ready to send to a listener.
 *
 * Each output gets its own SSRC; sequence numbers run on by one across switches; timestamps move on by the real
 * time elapsed across a switch and follow the source within a run; the first packet after a switch has the marker
 * bit; the audio level extension is kept (under `outputExtensionId`); payload bytes are untouched. Pins and unpins
 * produce no packet.
 *
 * ```
 * mixer:    P-K-K-(UQ)K-|      P: pin 0 alice; K: output-pkt; U, Q: unpin alice, pin bob
 * toRtpOutputs({ outputs: 1, extensionId: 1 })
 * output:   --a-b-----c-|      a: marker, seq n; b: seq n+1; c: bob's packet, marker, seq n+2
 * ```
 *
 * ## Example
 * ```ts
 * mixed$.pipe(toRtpOutputs({ outputs: 3, extensionId: 1, ssrcs: [0x1000, 0x1001, 0x1002] }))
 *   .subscribe(({ output, datagram }) => socket.send(datagram, 6000 + 2 * output, '127.0.0.1'));
 * ```
 *
 * @param options `outputs` and `extensionId` (required), `outputExtensionId`, `ssrcs`, `firstSequenceNumbers`,
 * `firstTimestamps`, `clockRate`, `scheduler`, `onInvalid`.
 * @return A function that returns an Observable of {@link RtpOutputPacket}s.
 *
 * @group Operators
 */
export function toRtpOutputs<S = number>(
  options: ToRtpOutputsOptions,
): OperatorFunction<OutputEvent<S, RtpPacketInfo>, RtpOutputPacket<S>> {
  checkOptionsObject(options);
  const outputs = checkOutputs(options.outputs);
  const extensionId = checkExtensionId('extensionId', options.extensionId);
  const outputExtensionId =
    options.outputExtensionId === undefined
      ? extensionId
      : checkExtensionId('outputExtensionId', options.outputExtensionId);
  const clockRate = options.clockRate ?? 48000;
  if (!Number.isInteger(clockRate) || clockRate <= 0) {
    throw new RangeError(`rx-audio-mixer: option 'clockRate' must be a positive integer, got ${String(clockRate)}`);
  }
  const perOutput = (name: string, given: readonly number[] | undefined, range: number): number[] => {
    if (given === undefined) return Array.from({ length: outputs }, () => Math.floor(Math.random() * range));
    if (given.length !== outputs || given.some((v) => !Number.isInteger(v) || v < 0 || v >= range)) {
      throw new RangeError(`rx-audio-mixer: option '${name}' must give ${outputs} integers in 0..${range - 1}`);
    }
    return [...given];
  };
  const config = {
    outputs,
    extensionId,
    outputExtensionId,
    clockRate,
    ssrcs: perOutput('ssrcs', options.ssrcs, 2 ** 32),
    firstSequenceNumbers: perOutput('firstSequenceNumbers', options.firstSequenceNumbers, 2 ** 16),
    firstTimestamps: perOutput('firstTimestamps', options.firstTimestamps, 2 ** 32),
    onInvalid: checkOnInvalid(options.onInvalid),
  };
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  return fromStage((emit) => new RtpOutputRewriter<S>(config, emit), scheduler);
}
