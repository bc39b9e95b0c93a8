import type { InvalidHandler, LevelledSourceEvent, SelectionEvent, SourcePacket } from '../events/events.js';
import { levelledPacket } from '../rules/levelNormalisation.js';
import { Selection } from '../rules/selection.js';
import type { SourceRecord } from '../data/sourceRecord.js';
import { KnownSources } from '../rules/joining.js';
import { TimelessStage } from './stage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link LoudestSelector}.
 *
 * @group State machines
 */
export interface LoudestSelectorConfig {
  /** How many sources can be selected at once. */
  readonly outputs: number;
  /** How many dB a candidate must beat the quietest selected source by to take its place. */
  readonly threshold: number;
  /** How long a selected source cannot be displaced by the threshold rule, in ms; default 0. */
  readonly minHold?: number | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Keeps the `outputs` loudest sources selected, with hysteresis (`Selection` has the rules), and forwards the
 * packets of selected sources only.
 *
 * - A new source is selected while fewer than `outputs` are; otherwise it waits as a candidate at -127.
 * - Every packet sets its source's level. A candidate whose level is at least the quietest selected level +
 *   `threshold` takes that source's place (deselected, selected, packet); otherwise its packet is dropped.
 * - A removed selected source is replaced at once by the loudest candidate.
 *
 * Per packet: one map lookup plus O(log outputs) for a selected source, O(1) for a candidate.
 *
 * @group State machines
 */
export class LoudestSelector<S, D> extends TimelessStage<LevelledSourceEvent<S, D>> {
  /** Joins and leaves by the shared rules; sources are timed out upstream (`SourceTimeouts`), never here. */
  private readonly known: KnownSources<S>;
  private readonly selection: Selection<SourceRecord<S>>;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: LoudestSelectorConfig,
    private readonly emit: (event: SelectionEvent<S, D>) => void,
  ) {
    super();
    this.onInvalid = config.onInvalid;
    this.known = new KnownSources<S>(Infinity, config.onInvalid);
    this.selection = new Selection<SourceRecord<S>>(
      config.outputs,
      config.threshold,
      {
        selected: (entry) => {
          emit({ type: 'source-selected', source: entry.source });
        },
        deselected: (entry) => {
          emit({ type: 'source-deselected', source: entry.source });
        },
      },
      undefined,
      config.minHold ?? 0,
    );
  }

  protected handle(event: LevelledSourceEvent<S, D>, now: number): void {
    // Time only matters to the minimum hold; without one the stage is given time 0.
    if (now > this.selection.now) this.selection.now = now;
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = levelledPacket(event as SourcePacket<S, D>, this.onInvalid);
        let entry = this.known.get(packet.source);
        if (entry === undefined) {
          entry = this.known.add(packet.source, now);
          this.selection.add(entry);
        }
        if (this.selection.packet(entry, packet.level)) this.emit(packet);
        return;
      }
      case 'source-added': {
        const entry = this.known.admit(event, now);
        if (entry !== null) this.selection.add(entry);
        return;
      }
      case 'source-removed': {
        const entry = this.known.dismiss(event);
        if (entry !== null) this.selection.remove(entry);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /** Selections are released by whoever holds outputs for them ({@link OutputPinner}); here state is dropped. */
  protected override onEnd(): void {
    this.known.clear();
    this.selection.clear();
  }
}
