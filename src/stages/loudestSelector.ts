import type { InvalidHandler, LevelledSourceEvent, SelectionEvent, SourcePacket } from '../events/events.js';
import { levelledPacket } from '../rules/levelNormalisation.js';
import { Selection } from '../rules/selection.js';
import { SourceRecord } from '../data/sourceRecord.js';
import { TimelessStage } from './stage.js';
import { reportDuplicate, reportInvalidEvent, reportUnknown, typeOf } from '../events/reports.js';

/** Options of {@link LoudestSelector}. */
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
 */
export class LoudestSelector<S, D> extends TimelessStage<LevelledSourceEvent<S, D>> {
  private readonly sources = new Map<S, SourceRecord<S>>();
  private readonly selection: Selection<SourceRecord<S>>;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: LoudestSelectorConfig,
    private readonly emit: (event: SelectionEvent<S, D>) => void,
  ) {
    super();
    this.onInvalid = config.onInvalid;
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
        const entry = this.sources.get(packet.source) ?? this.add(packet.source);
        if (this.selection.packet(entry, packet.level)) this.emit(packet);
        return;
      }
      case 'source-added':
        if (this.sources.has(event.source)) {
          reportDuplicate(this.onInvalid, event);
          return;
        }
        this.add(event.source);
        return;
      case 'source-removed': {
        const entry = this.sources.get(event.source);
        if (entry === undefined) {
          reportUnknown(this.onInvalid, event);
          return;
        }
        this.sources.delete(event.source);
        this.selection.remove(entry);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /** Selections are released by whoever holds outputs for them ({@link OutputPinner}); here state is dropped. */
  protected override onEnd(): void {
    this.sources.clear();
    this.selection.clear();
  }

  private add(source: S): SourceRecord<S> {
    const entry = new SourceRecord(source);
    this.sources.set(source, entry);
    this.selection.add(entry);
    return entry;
  }
}
