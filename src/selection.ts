import { SILENCE } from './levels.js';
import { CandidateBuckets, QuietestHeap, type Ranked } from './ranked.js';

/** Told of every change of the selected set, in the order the rules make them. */
export interface SelectionListener<R> {
  selected(record: R): void;
  deselected(record: R): void;
}

/**
 * The selection rules on source records: keeps the `outputs` loudest selected, with `threshold` dB of hysteresis.
 * Shared by {@link LoudestSelector} (one stage) and {@link AudioMixerCore} (all stages fused), so the rules are
 * written once.
 *
 * Ties: the quietest selected source is the one touched longest ago, the loudest candidate the one touched most
 * recently (a touch is an add, a packet, a selection or a deselection).
 */
export class Selection<R extends Ranked> {
  private readonly selected = new QuietestHeap<R>();
  private readonly candidates = new CandidateBuckets<R>();
  private clock = 0;

  constructor(
    private readonly outputs: number,
    private readonly threshold: number,
    private readonly listener: SelectionListener<R>,
  ) {}

  /** A new source: selected while fewer than `outputs` are, otherwise a candidate at -127. */
  add(record: R): void {
    record.level = SILENCE;
    record.stamp = ++this.clock;
    if (this.selected.size < this.outputs) this.select(record);
    else this.candidates.add(record);
  }

  /**
   * A packet at `level` (already normalised). Returns whether the source is selected after it, that is whether
   * its packet is to be forwarded; a takeover has been reported to the listener by then.
   */
  packet(record: R, level: number): boolean {
    if (record.heapIndex >= 0) {
      record.level = level;
      record.stamp = ++this.clock;
      this.selected.update(record);
      return true;
    }
    // Out of its bucket before the level changes: the bucket is found from the level.
    this.candidates.remove(record);
    record.level = level;
    record.stamp = ++this.clock;
    if (this.selected.size < this.outputs) {
      this.select(record);
      return true;
    }
    const quietest = this.selected.peek() as R;
    if (level >= quietest.level + this.threshold) {
      this.selected.remove(quietest);
      quietest.stamp = ++this.clock;
      this.candidates.add(quietest);
      this.listener.deselected(quietest);
      this.select(record);
      return true;
    }
    this.candidates.add(record);
    return false;
  }

  /** A source leaves; a selected one is replaced at once by the loudest candidate. */
  remove(record: R): void {
    if (record.heapIndex < 0) {
      this.candidates.remove(record);
      return;
    }
    this.selected.remove(record);
    this.listener.deselected(record);
    // Refill at once: better than leaving the output to whichever source happens to send next.
    const loudest = this.candidates.loudest();
    if (loudest === undefined) return;
    this.candidates.remove(loudest);
    this.select(loudest);
  }

  clear(): void {
    this.selected.clear();
    this.candidates.clear();
  }

  private select(record: R): void {
    record.stamp = ++this.clock;
    this.selected.insert(record);
    this.listener.selected(record);
  }
}
