import { releaseAll } from '../rules/end.js';
import type { InvalidHandler, OutputEvent, SourceEvent, SourcePacket } from '../events/events.js';
import { normalisedLevel } from '../rules/levelNormalisation.js';
import { KnownSources } from '../rules/joining.js';
import { Outputs } from '../rules/pinning.js';
import { Selection } from '../rules/selection.js';
import type { SourceRecord } from '../data/sourceRecord.js';
import { TimedStage } from '../rules/ordering.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link AudioMixerCore}, already checked.
 *
 * @group State machines
 */
export interface AudioMixerConfig {
  readonly outputs: number;
  readonly threshold: number;
  /** How long a pinned source cannot be displaced by the threshold rule, in ms; default 0. */
  readonly minHold?: number | undefined;
  readonly timeout: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * The whole mixer as one sans-IO state machine: source events and the time in, output events out through `emit`.
 *
 * It fuses the four stages (`SourceTimeouts`, `LevelTracker`, `LoudestSelector`, `OutputPinner`) for speed: one
 * record per source instead of one per stage, and no intermediate events. The rules themselves are shared with the
 * stages (`KnownSources`, `Selection`, `Outputs`), and a property test checks that
 * `timeoutSources, trackLevels, selectLoudest, pinOutputs` emit exactly what this does.
 *
 * @example
 * const events: OutputEvent[] = [];
 * const mixer = new AudioMixerCore({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
 * mixer.push({ type: 'source-added', source: 'alice' }, 0);   // output-pin 0 alice
 * mixer.expire(mixer.nextDeadline() ?? 0);                   // output-unpin 0 alice, at 1000
 *
 * @group State machines
 */
export class AudioMixerCore<S = string, D = Uint8Array> extends TimedStage<SourceEvent<S, D>, S, SourceRecord<S>> {
  private readonly selection: Selection<SourceRecord<S>>;
  private readonly outputs: Outputs<S, D, SourceRecord<S>>;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(config: AudioMixerConfig, emit: (event: OutputEvent<S, D>) => void) {
    super(new KnownSources<S>(config.timeout, config.onInvalid));
    this.onInvalid = config.onInvalid;
    const outputs = new Outputs<S, D, SourceRecord<S>>(config.outputs, emit);
    this.outputs = outputs;
    this.selection = new Selection<SourceRecord<S>>(
      config.outputs,
      config.threshold,
      {
        selected: (record) => outputs.pin(record),
        deselected: (record) => {
          outputs.unpin(record);
        },
      },
      undefined,
      config.minHold ?? 0,
    );
  }

  protected override atTime(now: number): void {
    this.selection.now = now;
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const raw = event as SourcePacket<S, D>;
        let record = this.known.get(raw.source);
        if (record === undefined) {
          record = this.known.add(raw.source, now);
          this.selection.add(record);
        } else {
          this.known.touch(record, now);
        }
        // A level, not a repaired copy of the packet: a dropped packet costs no allocation.
        const level = normalisedLevel(raw, this.onInvalid);
        if (this.selection.packet(record, level)) this.outputs.forward(record, level, raw.data);
        return;
      }
      case 'source-added': {
        const record = this.known.admit(event, now);
        if (record !== null) this.selection.add(record);
        return;
      }
      case 'source-removed': {
        const record = this.known.dismiss(event);
        if (record !== null) this.selection.remove(record);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /** @internal */
  protected timedOut(record: SourceRecord<S>): void {
    this.selection.remove(record);
  }

  protected override release(): void {
    releaseAll(this.outputs);
    this.selection.clear();
  }
}
