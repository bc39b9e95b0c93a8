import { CandidateBuckets, type CandidateRanking } from '../data/candidateBuckets.js';
import { QuietestHeap } from '../data/quietestHeap.js';
import type { Ranked } from '../data/ranked.js';
import { SILENCE } from './levelNormalisation.js';
import { refill } from './refill.js';
import { displaced, takeoverLevel, type TakeoverRule } from './takeover.js';
import { StampClock, Stamper } from './ties.js';

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
 * Which sources hold the outputs: keeps the `outputs` loudest selected, with `threshold` dB of hysteresis. It applies
 * rule 1 (a source joins selected while a selection is free), rule 2's takeover and rule 9's hold ({@link displaced}),
 * rule 3 (a selected source that leaves frees its selection), rule 4 ({@link refill}) and rule 8 ({@link StampClock}).
 * Shared by `LoudestSelector` (one stage), `AudioMixerCore` (all stages fused) and the room's views, so the rules
 * are written once.
 */
export class Selection<R extends Ranked> {
  private readonly selected = new QuietestHeap<R>();
  private readonly rule: TakeoverRule;
  /** @internal */
  readonly stamper: Stamper;

  constructor(
    private readonly outputs: number,
    threshold: number,
    private readonly listener: SelectionListener<R>,
    /** Where stamps come from: its own by default; a room's views share one, so equal work stamps equally. */
    private readonly stamps: StampClock = new StampClock(),
    /** How long a source stays selected before the threshold rule may displace it, in ms: 0, never held. */
    minHold = 0,
    /** Where the candidates are ranked: buckets of its own by default; a room's delta view adds the shared ones. */
    private readonly candidates: CandidateRanking<R> = new CandidateBuckets<R>(),
  ) {
    this.rule = { threshold, minHold };
    this.stamper = new Stamper(stamps);
  }

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

  /** The level at or above which a candidate's packet may take over a selection ({@link takeoverLevel}). */
  takeoverLevel(): number {
    return takeoverLevel(this.selected, this.outputs, this.rule);
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
    const quietest = displaced(this.selected, level, this.rule, this.stamps.now);
    if (quietest !== undefined) {
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
    refill(this.candidates, this.selectNow);
  }

  /** Gives free selections to the loudest candidates until none is free or no candidate is left (rule 4). */
  fill(): void {
    while (this.selected.size < this.outputs && refill(this.candidates, this.selectNow));
  }

  clear(): void {
    this.selected.clear();
    this.candidates.clear();
  }

  /** Continues the stamps of `other`, a selection this one is a copy of: the next touch comes after its last. */
  continueFrom(other: { readonly stamper: Stamper }): void {
    this.stamper.continueFrom(other.stamper);
  }

  private stamp(): number {
    return this.stamper.next();
  }

  /** Puts back a selected record, level and stamp as they are, telling no one (for a copy of another selection). */
  restoreSelected(record: R): void {
    this.selected.insert(record);
  }

  /** Puts back a candidate, level and stamp as they are; candidates must come in stamp order. */
  restoreCandidate(record: R): void {
    this.candidates.add(record);
  }

  private readonly selectNow = (record: R): void => {
    this.select(record);
  };

  private select(record: R): void {
    this.listener.pinning?.(record);
    record.pinnedAt = this.stamps.now;
    record.stamp = this.stamp();
    this.selected.insert(record);
    this.listener.selected(record);
  }
}
