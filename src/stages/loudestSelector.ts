import type { InvalidHandler, LevelledSourceEvent, SelectionEvent, SourcePacket } from '../events/events.js';
import { levelledPacket } from '../rules/levelNormalisation.js';
import { Selection } from '../rules/selection.js';
import { SourceRegistry } from '../rules/sourceRegistry.js';
import { TimelessStage } from './stage.js';
import { checkOutputs } from '../options/checks.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link LoudestSelector}.
 *
 * @group State machines
 */
export interface LoudestSelectorConfig {
  /** How many sources can be selected at once: an integer 1 .. {@link MAX_OUTPUTS} (1024). */
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
 * Per packet: one lookup plus O(log outputs) for a selected source, O(1) for a candidate.
 *
 * @group State machines
 */
export class LoudestSelector<S, D> extends TimelessStage<LevelledSourceEvent<S, D>> {
  /** Joins and leaves by the shared rules; sources are timed out upstream (`SourceTimeouts`), never here. */
  private readonly sources: SourceRegistry<S>;
  private readonly selection: Selection;
  private readonly onInvalid: InvalidHandler | undefined;

  /** @throws RangeError when `outputs` is not an integer 1 .. {@link MAX_OUTPUTS}. */
  constructor(
    config: LoudestSelectorConfig,
    private readonly emit: (event: SelectionEvent<S, D>) => void,
  ) {
    super();
    checkOutputs(config.outputs);
    this.onInvalid = config.onInvalid;
    const sources = new SourceRegistry<S>(Infinity, config.onInvalid);
    this.sources = sources;
    this.selection = new Selection(config.outputs, config.threshold, config.minHold ?? 0, sources.slots, {
      selected: (slot) => {
        emit({ type: 'source-selected', source: sources.idAt(slot) });
      },
      deselected: (slot) => {
        emit({ type: 'source-deselected', source: sources.idAt(slot) });
      },
    });
  }

  protected handle(event: LevelledSourceEvent<S, D>, now: number): void {
    // Time only matters to the minimum hold; without one the stage is given time 0.
    if (now > this.selection.now) this.selection.now = now;
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = levelledPacket(event as SourcePacket<S, D>, this.onInvalid);
        let slot = this.sources.slotOf(packet.source);
        if (slot < 0) {
          slot = this.sources.add(packet.source, now);
          this.selection.add(slot);
        }
        if (this.selection.packet(slot, packet.level)) this.emit(packet);
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
        this.sources.release(); // its deselection named it: now its id goes
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /** Selections are released by whoever holds outputs for them ({@link OutputPinner}); here state is dropped. */
  protected override onEnd(): void {
    this.selection.clear();
    this.sources.clear();
  }
}
