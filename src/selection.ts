import { SILENCE } from './levels.js';
import { CandidateBuckets, QuietestHeap, type CandidateRanking, type Ranked } from './ranked.js';

/**
 * Stamps for the tie-break rule: a touch gets `base + n` for the n-th touch a selection makes since `base` moved.
 * A selection alone never moves `base`, so its stamps are 1, 2, 3... A room moves it past every stamp given at the
 * start of each event ({@link StampClock.begin}), so that its views, doing the same work for the same event, give
 * the same stamps, and a view can tell when it has become the same as the shared view again.
 */
export class StampClock {
  base = 0;
  /**
   * The time of the event being handled, in ms, read by the minimum hold: set by the owner before each event. Every
   * selection sharing this clock sees it.
   */
  now = 0;
  /** The highest stamp given. */
  high = 0;

  /** A new event: its stamps come after every stamp given so far. */
  begin(): void {
    this.base = this.high;
  }
}

/** Told of every change of the selected set, in the order the rules make them. */
export interface SelectionListener<R> {
  selected(record: R): void;
  deselected(record: R): void;
  /**
   * Told that `record` is about to be selected, before anything changes for it: before the displaced source is
   * deselected in a takeover. The room mixer forks a listener's view there when the listener does not hear `record`.
   */
  pinning?(record: R): void;
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
  /** The base of the stamps of the current event, as this selection last saw it. */
  private base = -1;
  private op = 0;

  constructor(
    private readonly outputs: number,
    private readonly threshold: number,
    private readonly listener: SelectionListener<R>,
    /** Where stamps come from: its own by default; a room's views share one, so equal work stamps equally. */
    private readonly stamps: StampClock = new StampClock(),
    /** How long a source stays selected before the threshold rule may displace it, in ms: 0, never held. */
    private readonly minHold = 0,
    /** Where the candidates are ranked: buckets of its own by default; a room's listener view adds the shared ones. */
    private readonly candidates: CandidateRanking<R> = new CandidateBuckets<R>(),
  ) {}

  /** The time of the event being handled, in ms: set by the owner before each event (read by the minimum hold). */
  get now(): number {
    return this.stamps.now;
  }

  set now(time: number) {
    this.stamps.now = time;
  }

  /** How many sources are selected. */
  get size(): number {
    return this.selected.size;
  }

  /**
   * The level at or above which a candidate's packet may take over a selection (rule 6): `-Infinity` while a
   * selection is free. With a minimum hold this is a lower bound: the quietest may be held.
   */
  takeoverLevel(): number {
    const quietest = this.selected.peek();
    return this.selected.size < this.outputs || quietest === undefined ? -Infinity : quietest.level + this.threshold;
  }

  /** A new source: selected while fewer than `outputs` are, otherwise a candidate at -127. */
  add(record: R): void {
    record.level = SILENCE;
    record.stamp = this.stamp();
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
      record.stamp = this.stamp();
      this.selected.update(record);
      return true;
    }
    // Out of its bucket before the level changes: the bucket is found from the level.
    this.candidates.remove(record);
    record.level = level;
    record.stamp = this.stamp();
    if (this.selected.size < this.outputs) {
      this.select(record);
      return true;
    }
    let quietest = this.selected.peek();
    // A source selected less than `minHold` ago cannot be displaced: the quietest of the others can.
    if (this.minHold > 0 && this.now - quietest!.pinnedAt < this.minHold) quietest = this.quietestHeldOut();
    if (quietest !== undefined && level >= quietest.level + this.threshold) {
      this.listener.pinning?.(record);
      this.selected.remove(quietest);
      quietest.stamp = this.stamp();
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

  /** Gives free selections to the loudest candidates until none is free or no candidate is left (rule 4). */
  fill(): void {
    while (this.selected.size < this.outputs) {
      const loudest = this.candidates.loudest();
      if (loudest === undefined) return;
      this.candidates.remove(loudest);
      this.select(loudest);
    }
  }

  clear(): void {
    this.selected.clear();
    this.candidates.clear();
  }

  /** Continues the stamps of `other`, a selection this one is a copy of: the next touch comes after its last. */
  continueFrom(other: Selection<Ranked>): void {
    this.base = other.base;
    this.op = other.op;
  }

  /** The next stamp: later than every stamp given before, and the same in every selection doing the same work. */
  private stamp(): number {
    const stamps = this.stamps;
    if (this.base !== stamps.base) {
      this.base = stamps.base;
      this.op = 0;
    }
    const stamp = stamps.base + ++this.op;
    if (stamp > stamps.high) stamps.high = stamp;
    return stamp;
  }

  /** Puts back a selected record, level and stamp as they are, telling no one (for a copy of another selection). */
  restoreSelected(record: R): void {
    this.selected.insert(record);
  }

  /** Puts back a candidate, level and stamp as they are; candidates must come in stamp order. */
  restoreCandidate(record: R): void {
    this.candidates.add(record);
  }

  /** The quietest selected source that has been selected for `minHold` ms, if any: O(outputs). */
  private quietestHeldOut(): R | undefined {
    let best: R | undefined;
    for (const entry of this.selected.entries()) {
      if (this.now - entry.pinnedAt < this.minHold) continue;
      if (best === undefined || entry.level < best.level || (entry.level === best.level && entry.stamp < best.stamp)) {
        best = entry;
      }
    }
    return best;
  }

  private select(record: R): void {
    this.listener.pinning?.(record);
    record.pinnedAt = this.now;
    record.stamp = this.stamp();
    this.selected.insert(record);
    this.listener.selected(record);
  }
}
