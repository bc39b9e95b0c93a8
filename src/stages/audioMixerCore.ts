import { releaseAll } from '../rules/end.js';
import type { InvalidHandler, OutputEvent, SourceEvent, SourcePacket } from '../events/events.js';
import { normalisedLevel } from '../rules/levelNormalisation.js';
import { Outputs } from '../rules/pinning.js';
import { Selection } from '../rules/selection.js';
import { SourceRegistry } from '../rules/sourceRegistry.js';
import { TimedStage } from './timedStage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';
import { checkOutputs } from '../options/checks.js';

/**
 * Options of {@link AudioMixerCore}, already checked.
 *
 * @group State machines
 */
export interface AudioMixerConfig {
  /** How many output tracks there are: an integer 1 .. {@link MAX_OUTPUTS} (1024), checked by the constructor. */
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
 * It fuses the four stages (`SourceTimeouts`, `LevelTracker`, `LoudestSelector`, `OutputPinner`) for speed: no
 * intermediate events, and no object per source: each source is a slot (`SourceRegistry`), and everything
 * known of it (level, stamp, last activity, its links in the activity list and in its level bucket, its output) is
 * one record of 64 bytes in one buffer. The rules are shared with the stages (`SourceRegistry`, `Selection`,
 * `Outputs`), and a property test checks that `timeoutSources, trackLevels, selectLoudest, pinOutputs` emit
 * exactly what this does.
 *
 * @example
 * const events: OutputEvent[] = [];
 * const mixer = new AudioMixerCore({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
 * mixer.push({ type: 'source-added', source: 'alice' }, 0);   // output-pin 0 alice
 * mixer.expire(mixer.nextDeadline() ?? 0);                   // output-unpin 0 alice, at 1000
 *
 * @group State machines
 */
export class AudioMixerCore<S = string, D = Uint8Array> extends TimedStage<SourceEvent<S, D>, S> {
  private readonly selection: Selection;
  private readonly outputs: Outputs<S, D>;
  private readonly onInvalid: InvalidHandler | undefined;

  /** @throws RangeError when `outputs` is not an integer 1 .. {@link MAX_OUTPUTS}. */
  constructor(config: AudioMixerConfig, emit: (event: OutputEvent<S, D>) => void) {
    const sources = new SourceRegistry<S>(config.timeout, config.onInvalid);
    super(sources);
    checkOutputs(config.outputs);
    this.onInvalid = config.onInvalid;
    const outputs = new Outputs<S, D>(config.outputs, sources.slots, (slot) => sources.idAt(slot), emit);
    this.outputs = outputs;
    this.selection = new Selection(
      config.outputs,
      config.threshold,
      config.minHold ?? 0,
      sources.slots,
      {
        selected: (slot) => {
          outputs.pin(slot);
        },
        deselected: (slot) => {
          outputs.unpin(slot);
        },
      },
      this.clock,
    );
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const raw = event as SourcePacket<S, D>;
        let slot = this.sources.slotOf(raw.source);
        if (slot < 0) {
          slot = this.sources.add(raw.source, now);
          this.selection.add(slot);
        } else {
          this.sources.touch(slot, now);
        }
        // A level, not a repaired copy of the packet: a dropped packet costs no allocation.
        const level = normalisedLevel(raw, this.onInvalid);
        if (this.selection.packet(slot, level)) this.outputs.forward(slot, level, raw.data);
        return;
      }
      case 'source-added': {
        const slot = this.sources.admit(event, now);
        if (slot >= 0) this.selection.add(slot);
        return;
      }
      case 'source-removed': {
        const slot = this.sources.dismiss(event);
        if (slot >= 0) this.selection.remove(slot);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /**
   * A timed-out source (the skeleton's hook): not API, yet kept in the .d.ts, which needs it.
   * @hidden
   */
  protected timedOut(slot: number): void {
    this.selection.remove(slot);
  }

  protected override release(): void {
    releaseAll(this.outputs);
    this.selection.clear();
  }
}
