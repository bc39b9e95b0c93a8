/**
 * The events that flow into and out of the mixer, and between its stages.
 *
 * `S` is the type of a source id (compared with `Map` key equality), `D` the type of a packet's payload, which the
 * mixer forwards untouched. Levels are in dBov: 0 is the loudest, -127 silence (RFC 6464 carries them as 0..127,
 * meaning minus that).
 *
 * @module
 */

/**
 * What a media server tells the mixer about the sources in a room.
 *
 * @group Events
 */
export type SourceEvent<S = string, D = Uint8Array> = SourceAdded<S> | SourcePacket<S, D> | SourceRemoved<S>;

/**
 * A source joined the room.
 *
 * @group Events
 */
export interface SourceAdded<S = string> {
  readonly type: 'source-added';
  readonly source: S;
}

/**
 * A packet of a source, with the audio level it carries (missing when the sender did not measure one).
 *
 * @group Events
 */
export interface SourcePacket<S = string, D = Uint8Array> {
  readonly type: 'source-pkt';
  readonly source: S;
  readonly level?: number;
  readonly data: D;
}

/**
 * A source left the room.
 *
 * @group Events
 */
export interface SourceRemoved<S = string> {
  readonly type: 'source-removed';
  readonly source: S;
}

/**
 * What the mixer tells the listener: which source each output track carries, and the packets to forward.
 *
 * @group Events
 */
export type OutputEvent<S = string, D = Uint8Array> = OutputPin<S> | OutputPacket<S, D> | OutputUnpin<S>;

/**
 * Output `output` now carries `source`.
 *
 * @group Events
 */
export interface OutputPin<S = string> {
  readonly type: 'output-pin';
  readonly output: number;
  readonly source: S;
}

/**
 * A packet of the source pinned to `output`, to forward on that output track.
 *
 * @group Events
 */
export interface OutputPacket<S = string, D = Uint8Array> {
  readonly type: 'output-pkt';
  readonly output: number;
  readonly source: S;
  readonly level: number;
  readonly data: D;
}

/**
 * Output `output` no longer carries `source`. Every `output-pin` is matched by exactly one of these.
 *
 * @group Events
 */
export interface OutputUnpin<S = string> {
  readonly type: 'output-unpin';
  readonly output: number;
  readonly source: S;
}

/**
 * A packet whose level has been checked and normalised: always a number in -127..0.
 * What {@link trackLevels} emits for packets, and what {@link selectLoudest} forwards for the sources it selected.
 *
 * @group Events
 */
export interface LevelledPacket<S = string, D = Uint8Array> extends SourcePacket<S, D> {
  readonly level: number;
}

/**
 * A well-formed source stream with normalised levels: the output of {@link trackLevels} and the input of
 * {@link selectLoudest}. It is a {@link SourceEvent}, so a normalisation step between the two is an ordinary
 * `map` over source events that keeps `level` a number.
 *
 * @group Events
 */
export type LevelledSourceEvent<S = string, D = Uint8Array> = SourceAdded<S> | LevelledPacket<S, D> | SourceRemoved<S>;

/**
 * The source now belongs to the selected set (one of the loudest). {@link pinOutputs} gives it an output.
 *
 * @group Events
 */
export interface SourceSelected<S = string> {
  readonly type: 'source-selected';
  readonly source: S;
}

/**
 * The source left the selected set. {@link pinOutputs} frees its output.
 *
 * @group Events
 */
export interface SourceDeselected<S = string> {
  readonly type: 'source-deselected';
  readonly source: S;
}

/**
 * What {@link selectLoudest} emits: changes of the selected set, and the packets of selected sources only (the same
 * packet objects it received). Within one cause, deselections come first, then selections, then the packet.
 *
 * @group Events
 */
export type SelectionEvent<S = string, D = Uint8Array> = SourceSelected<S> | SourceDeselected<S> | LevelledPacket<S, D>;

/**
 * Why an input was dropped or repaired.
 *
 * @group Events
 */
export type InvalidReason =
  /** Not an object with a known `type`: dropped. */
  | 'invalid-event'
  /** A level that is NaN, infinite or not a number: taken as -127 (silence). */
  | 'invalid-level'
  /** A level above 0 or below -127: clamped into -127..0. */
  | 'level-out-of-range'
  /** `source-added` (or `source-selected`) for a source that is already known: ignored. */
  | 'duplicate-source'
  /** `source-removed` (or `source-deselected`) for a source that is not known: ignored. */
  | 'unknown-source'
  /** A packet reached {@link pinOutputs} (or `toRtpOutputs`) for a source that holds no output: dropped. */
  | 'not-pinned'
  /** A selection reached {@link pinOutputs} while every output was taken: dropped. */
  | 'no-free-output'
  /** A datagram given to the RTP adapter that is not usable RTP: dropped. */
  | 'malformed-rtp'
  /** A `follow` set of a room listener that is not iterable: the previous set stays. */
  | 'invalid-follow'
  /** The media of a pinned source completed ({@link withMedia}): the pin stays, silent. */
  | 'media-ended'
  /** The media of a pinned source failed, or `mediaOf` threw ({@link withMedia}): the pin stays, silent. */
  | 'media-failed'
  /** A message on the cascade's bus that is not in its wire format (`rx-audio-mixer/nats`): dropped. */
  | 'malformed-message';

/**
 * The report given to `onInvalid` for every input the mixer had to drop or repair.
 *
 * @group Events
 */
export interface InvalidReport {
  readonly reason: InvalidReason;
  /** The offending input, as it was received. */
  readonly event: unknown;
  /** A sentence for logs. */
  readonly message: string;
}

/**
 * Receives {@link InvalidReport}s.
 *
 * @group Events
 */
export type InvalidHandler = (report: InvalidReport) => void;
