import type { InvalidHandler, InvalidReason, OutputEvent, OutputPacket } from '../../events/events.js';
import { show } from '../../events/show.js';
import { TimelessStage } from '../../stages/stage.js';
import { checkOutputs } from '../../options/checks.js';
import { reportInvalidEvent, typeOf, report } from '../../events/reports.js';

/** What every output stream rewriter needs to number its streams. */
export interface OutputStreamsConfig {
  /** How many outputs the mixer has: an integer 1 .. `MAX_OUTPUTS` (1024), checked by the constructor. */
  readonly outputs: number;
  /** The first sequence number and timestamp of each output stream (RFC 3550 wants them random). */
  readonly firstSequenceNumbers: readonly number[];
  readonly firstTimestamps: readonly number[];
  /** RTP clock rate of the payload, Hz. */
  readonly clockRate: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/** The numbers of the packet an output stream sends next, as {@link OutputStreams.renumber} left them. */
export interface OutputNumbers {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
}

interface OutputStream extends OutputNumbers {
  /** Whether a source is pinned to this output, and which. */
  pinned: boolean;
  source: unknown;
  /** A new source was pinned since the last packet: re-anchor sequence numbers and timestamps. */
  switched: boolean;
  started: boolean;
  sequenceOffset: number;
  timestampOffset: number;
  /** The numbers of the last packet sent (the result of the last renumber). */
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  /** The timestamp step of the last packet in this run, in RTP ticks: one packet's duration. */
  packetTicks: number;
  lastTime: number;
}

/** The longest packet taken as one packet's duration (a longer step is a gap, not a packet): 120 ms, Opus' longest. */
const LONGEST_PACKET_MS = 120;
/** One packet's duration before a run has shown its own: 20 ms, the usual audio packet. */
const DEFAULT_PACKET_MS = 20;

/**
 * The one home of what makes the mixer's outputs into stable RTP streams, whatever carries the packets (rtp.js
 * datagrams for `toRtpOutputs`, werift packets for `toWeriftTracks`): which source each output holds, and the
 * numbering. Each output keeps one sequence space: numbers run on by one across switches (gaps and reordering within
 * one source's run are kept, so the receiver still sees loss); timestamps follow the source's own clock within a run
 * and, across a switch, move on by the real time elapsed but at least by one packet's duration (the timestamp step
 * of the last packet of the run before, or 20 ms), so that the new source's first packet never overlaps the previous
 * one's audio; the first packet after a switch has the marker bit.
 *
 * Bad input is reported to `onInvalid`, never thrown: an event that is not an output event (`invalid-event`), an
 * `output` that is not one of the outputs (`invalid-event`), a packet or unpin for an output that does not hold that
 * source (`not-pinned`). A subclass checks the packet itself in {@link OutputStreams.forward}, then numbers it.
 */
export abstract class OutputStreams<S, D> extends TimelessStage<OutputEvent<S, D>> {
  /** The stream of each output once it was first pinned: memory grows with the outputs used, not `outputs`. */
  private readonly streams: (OutputStream | undefined)[] = [];
  private readonly defaultPacketTicks: number;
  private readonly longestPacketTicks: number;

  /** @throws RangeError when `outputs` is not an integer 1 .. `MAX_OUTPUTS`. */
  protected constructor(private readonly streamsConfig: OutputStreamsConfig) {
    super();
    checkOutputs(streamsConfig.outputs);
    this.defaultPacketTicks = Math.round((streamsConfig.clockRate * DEFAULT_PACKET_MS) / 1000);
    this.longestPacketTicks = (streamsConfig.clockRate * LONGEST_PACKET_MS) / 1000;
  }

  private newStream(): OutputStream {
    return {
      pinned: false,
      source: undefined,
      switched: true,
      started: false,
      sequenceOffset: 0,
      timestampOffset: 0,
      sequenceNumber: 0,
      timestamp: 0,
      marker: false,
      packetTicks: this.defaultPacketTicks,
      lastTime: 0,
    };
  }

  /** Takes one `output-pkt` of the source its output holds: checks the packet, numbers it, sends it on. */
  protected abstract forward(event: OutputPacket<S, D>, now: number): void;

  /** Takes a pin or an unpin the streams accepted; passes nothing on unless a subclass says so. */
  protected onPinChange(_event: OutputEvent<S, D>): void {
    // Nothing by default: the pin is already kept.
  }

  protected handle(event: OutputEvent<S, D>, now: number): void {
    const type = typeOf(event);
    if (type !== 'output-pin' && type !== 'output-pkt' && type !== 'output-unpin') {
      reportInvalidEvent(this.streamsConfig.onInvalid, event, 'an output event');
      return;
    }
    // Only an integer in range indexes the streams: `'length'` or `'__proto__'` must never reach the array.
    const output: unknown = event.output;
    const outputs = this.streamsConfig.outputs;
    if (typeof output !== 'number' || !Number.isInteger(output) || output < 0 || output >= outputs) {
      this.report('invalid-event', event, `output ${show(output)} is not one of outputs 0..${outputs - 1}`);
      return;
    }
    let stream = this.streams[output];
    if (type === 'output-pin') {
      if (stream === undefined) {
        while (this.streams.length < output) this.streams.push(undefined); // packed, never holey
        stream = this.newStream();
        this.streams[output] = stream;
      }
      stream.pinned = true;
      stream.source = event.source;
      stream.switched = true;
      this.onPinChange(event);
      return;
    }
    if (stream === undefined || !stream.pinned || stream.source !== event.source) {
      this.report('not-pinned', event, `output ${output} does not hold source ${show(event.source)}`);
      return;
    }
    if (type === 'output-unpin') {
      stream.pinned = false;
      stream.source = undefined;
      this.onPinChange(event);
      return;
    }
    this.forward(event as OutputPacket<S, D>, now);
  }

  protected report(reason: InvalidReason, event: unknown, message: string): void {
    report(this.streamsConfig.onInvalid, reason, event, message);
  }

  /**
   * Numbers the next packet of `output` (a packet of its pinned source with these header fields, at `now`) and
   * returns the numbers it is to be sent with. The returned object is the stream's own: read it at once.
   *
   * @internal
   */
  protected renumber(
    output: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    now: number,
  ): OutputNumbers {
    const stream = this.streams[output]!;
    if (stream.switched) {
      marker = true;
      stream.switched = false;
      if (!stream.started) {
        stream.started = true;
        stream.sequenceOffset = (this.streamsConfig.firstSequenceNumbers[output] ?? 0) - sequenceNumber;
        stream.timestampOffset = (this.streamsConfig.firstTimestamps[output] ?? 0) - timestamp;
      } else {
        // Move on by the real time since the last packet of this output, and by at least that packet's duration.
        const elapsed = Math.round(((now - stream.lastTime) * this.streamsConfig.clockRate) / 1000);
        stream.sequenceOffset = stream.sequenceNumber + 1 - sequenceNumber;
        stream.timestampOffset = stream.timestamp + Math.max(elapsed, stream.packetTicks) - timestamp;
      }
      stream.packetTicks = this.defaultPacketTicks;
    }
    const outSequenceNumber = (sequenceNumber + stream.sequenceOffset) & 0xffff;
    const outTimestamp = (timestamp + stream.timestampOffset) >>> 0;
    if (!marker && outSequenceNumber === ((stream.sequenceNumber + 1) & 0xffff)) {
      // The step from the packet before, in the same run: one packet's duration, if it is one.
      const step = (outTimestamp - stream.timestamp) >>> 0;
      if (step > 0 && step <= this.longestPacketTicks) stream.packetTicks = step;
    }
    stream.sequenceNumber = outSequenceNumber;
    stream.timestamp = outTimestamp;
    stream.marker = marker;
    stream.lastTime = now;
    return stream;
  }
}

/** Whether header fields read from a packet are in range: a 16-bit sequence number, a 32-bit timestamp. */
export function isRtpNumbering(sequenceNumber: unknown, timestamp: unknown, marker: unknown): boolean {
  return (
    Number.isInteger(sequenceNumber) &&
    (sequenceNumber as number) >= 0 &&
    (sequenceNumber as number) <= 0xffff &&
    Number.isInteger(timestamp) &&
    (timestamp as number) >= 0 &&
    (timestamp as number) <= 0xffffffff &&
    typeof marker === 'boolean'
  );
}
