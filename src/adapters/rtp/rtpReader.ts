import type { InvalidHandler, InvalidReport, SourceEvent } from '../../events/events.js';
import { TimelessStage } from '../../stages/stage.js';
import { isRtpParseFailure, parseRtp, type RtpProblem } from './parseRtp.js';
import type { RtpPacketInfo } from './rtpPacketInfo.js';
import { report } from '../../events/reports.js';

/**
 * The report of a datagram that is not usable RTP.
 *
 * @group State machines
 */
export interface MalformedRtpReport extends InvalidReport {
  readonly reason: 'malformed-rtp';
  readonly problem: RtpProblem;
  readonly event: Uint8Array;
}

/**
 * Options of {@link RtpReader}.
 *
 * @group State machines
 */
export interface RtpReaderConfig<S> {
  /** The id of the audio level extension, as negotiated in SDP (`a=extmap:<id> urn:ietf:params:rtp-hdrext:ssrc-audio-level`). */
  readonly extensionId: number;
  /** The source id of a packet; default its SSRC. */
  readonly sourceOf: (packet: RtpPacketInfo) => S;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Turns RTP datagrams into `source-pkt` events: source = SSRC (or the key the caller chooses), level from the RFC
 * 6464 extension (none when the packet carries none: the mixer then takes it as silence), data = the parsed packet.
 * Datagrams that are not usable RTP are reported as `malformed-rtp` and dropped.
 *
 * @group State machines
 */
export class RtpReader<S> extends TimelessStage<Uint8Array> {
  constructor(
    private readonly config: RtpReaderConfig<S>,
    private readonly emit: (event: SourceEvent<S, RtpPacketInfo>) => void,
  ) {
    super();
  }

  protected handle(datagram: Uint8Array): void {
    if (!(datagram instanceof Uint8Array)) {
      report(this.config.onInvalid, 'invalid-event', datagram, 'expected a datagram (Uint8Array)');
      return;
    }
    const parsed = parseRtp(datagram, this.config.extensionId);
    if (isRtpParseFailure(parsed)) {
      const details: Pick<MalformedRtpReport, 'problem'> = { problem: parsed.problem };
      report(this.config.onInvalid, 'malformed-rtp', datagram, parsed.message, details);
      return;
    }
    const source = this.config.sourceOf(parsed);
    this.emit(
      parsed.level === undefined
        ? { type: 'source-pkt', source, data: parsed }
        : { type: 'source-pkt', source, level: parsed.level, data: parsed },
    );
  }
}
