import { show } from './show.js';
import type { InvalidHandler, LevelledPacket, LevelledSourceEvent, SelectionEvent, SourcePacket } from './events.js';
import { levelledPacket, SILENCE } from './levels.js';
import { CandidateBuckets, QuietestHeap, type Ranked } from './ranked.js';
import { report, reportInvalidEvent, typeOf, TimelessStage } from './stage.js';

/** Options of {@link LoudestSelector}. */
export interface LoudestSelectorConfig {
  /** How many sources can be selected at once. */
  readonly outputs: number;
  /** How many dB a candidate must beat the quietest selected source by to take its place. */
  readonly threshold: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

interface Entry<S> extends Ranked {
  readonly source: S;
}

/**
 * Keeps the `outputs` loudest sources selected, with hysteresis.
 *
 * - A new source is selected while fewer than `outputs` are; otherwise it waits as a candidate at -127.
 * - Every packet sets its source's level. A selected source's packet is forwarded. A candidate whose level is at
 *   least the quietest selected level + `threshold` takes that source's place (deselected, selected, packet);
 *   otherwise its packet is dropped.
 * - A removed selected source is replaced at once by the loudest candidate.
 *
 * Ties: the quietest selected source is the one touched longest ago, the loudest candidate the one touched most
 * recently (a touch is an add, a packet, a selection or a deselection). Per packet: one map lookup plus O(log outputs)
 * for a selected source, O(1) for a candidate.
 */
export class LoudestSelector<S, D> extends TimelessStage<LevelledSourceEvent<S, D>> {
  private readonly sources = new Map<S, Entry<S>>();
  private readonly selected = new QuietestHeap<Entry<S>>();
  private readonly candidates = new CandidateBuckets<Entry<S>>();
  private readonly outputs: number;
  private readonly threshold: number;
  private readonly onInvalid: InvalidHandler | undefined;
  private clock = 0;

  constructor(
    config: LoudestSelectorConfig,
    private readonly emit: (event: SelectionEvent<S, D>) => void,
  ) {
    super();
    this.outputs = config.outputs;
    this.threshold = config.threshold;
    this.onInvalid = config.onInvalid;
  }

  push(event: LevelledSourceEvent<S, D>): void {
    switch (typeOf(event)) {
      case 'source-pkt':
        this.packet(levelledPacket(event as SourcePacket<S, D>, this.onInvalid));
        return;
      case 'source-added':
        if (this.sources.has(event.source)) {
          report(this.onInvalid, 'duplicate-source', event, `source ${show(event.source)} was already added`);
          return;
        }
        this.add(event.source);
        return;
      case 'source-removed':
        this.remove(event);
        return;
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /** Selections are released by whoever holds outputs for them ({@link OutputPinner}); here state is dropped. */
  override abort(): void {
    this.sources.clear();
    this.selected.clear();
    this.candidates.clear();
  }

  private add(source: S): Entry<S> {
    const entry: Entry<S> = { source, level: SILENCE, stamp: ++this.clock, heapIndex: -1, bucket: -1, prev: null, next: null };
    this.sources.set(source, entry);
    if (this.selected.size < this.outputs) this.select(entry);
    else this.candidates.add(entry);
    return entry;
  }

  private packet(packet: LevelledPacket<S, D>): void {
    const entry = this.sources.get(packet.source) ?? this.add(packet.source);
    if (entry.heapIndex >= 0) {
      entry.level = packet.level;
      entry.stamp = ++this.clock;
      this.selected.update(entry);
      this.emit(packet);
      return;
    }
    // Out of its bucket before the level changes: the bucket is found from the level.
    this.candidates.remove(entry);
    entry.level = packet.level;
    entry.stamp = ++this.clock;
    if (this.selected.size < this.outputs) {
      this.select(entry);
      this.emit(packet);
      return;
    }
    const quietest = this.selected.peek() as Entry<S>;
    if (entry.level >= quietest.level + this.threshold) {
      this.selected.remove(quietest);
      quietest.stamp = ++this.clock;
      this.candidates.add(quietest);
      this.emit({ type: 'source-deselected', source: quietest.source });
      this.select(entry);
      this.emit(packet);
      return;
    }
    this.candidates.add(entry);
  }

  private remove(event: LevelledSourceEvent<S, D>): void {
    const entry = this.sources.get(event.source);
    if (entry === undefined) {
      report(this.onInvalid, 'unknown-source', event, `source ${show(event.source)} is not known`);
      return;
    }
    this.sources.delete(event.source);
    if (entry.heapIndex < 0) {
      this.candidates.remove(entry);
      return;
    }
    this.selected.remove(entry);
    this.emit({ type: 'source-deselected', source: entry.source });
    // Refill at once: better than leaving the output to whichever source happens to send next.
    const loudest = this.candidates.loudest();
    if (loudest === undefined) return;
    this.candidates.remove(loudest);
    this.select(loudest);
  }

  /** Selects an entry that is in neither ranking. */
  private select(entry: Entry<S>): void {
    entry.stamp = ++this.clock;
    this.selected.insert(entry);
    this.emit({ type: 'source-selected', source: entry.source });
  }
}
