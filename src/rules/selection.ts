import { CandidateBuckets, type CandidateRanking } from '../data/candidateBuckets.js';
import { QuietestHeap } from '../data/quietestHeap.js';
import { F64_PER_SLOT, HEAP, I32_PER_SLOT, LEVEL, STAMP, type SourceSlots } from '../data/sourceSlots.js';
import { SILENCE } from '../events/levels.js';
import { refill } from './refill.js';
import { displaced, takeoverLevel, type TakeoverRule } from './takeover.js';
import { StampClock, Stamper } from './ties.js';

/** The options of a selection, already checked. */
export interface SelectionConfig {
  /** How many sources may be selected (one per output). */
  readonly outputs: number;
  /** How many dB louder than the quietest selected source a candidate's packet must be to take its place. */
  readonly threshold: number;
  /** How long a source stays selected before the threshold may displace it, in ms; default 0. */
  readonly minHold?: number | undefined;
}

/** Told of every change of a slot selection, in the order the rules make them. */
export interface SelectionListener {
  selected(slot: number): void;
  deselected(slot: number): void;
  /**
   * Told that `slot` is about to be selected, before anything changes for it: before the displaced source is
   * deselected in a takeover. The room mixer forks a listener's view there when the listener does not hear it.
   */
  pinning?(slot: number): void;
}

/**
 * Which sources hold the outputs: keeps the `outputs` loudest selected, with `threshold` dB of hysteresis. It applies
 * rule 1 (a source joins selected while a selection is free), rule 2's takeover and rule 9's hold ({@link displaced}),
 * rule 3 (a selected source that leaves frees its selection), rule 4 ({@link refill}) and rule 8 ({@link Stamper}),
 * on sources kept by slot: the levels and stamps in the slots' records ({@link SourceSlots}), the selected in a
 * {@link QuietestHeap}, the candidates in {@link CandidateBuckets} (or a {@link CandidateRanking} of the owner's).
 * The one home of these rules: `LoudestSelector`, `AudioMixerCore` and every view of the room (shared, listener and
 * delta views) select with it.
 */
export class Selection {
  private readonly selected: QuietestHeap;
  private readonly candidates: CandidateRanking;
  private readonly rule: TakeoverRule;
  /** @internal */
  readonly stamper: Stamper;

  constructor(
    private readonly outputs: number,
    threshold: number,
    minHold: number,
    private readonly slots: SourceSlots,
    private readonly listener: SelectionListener,
    /** Where stamps come from: its own by default; a room's views share one, so equal work stamps equally. */
    stamps: StampClock = new StampClock(),
    /** Where the candidates are ranked: buckets of its own by default; a room's delta view adds the shared ones. */
    candidates: CandidateRanking = new CandidateBuckets(slots),
  ) {
    this.rule = { threshold, minHold };
    this.selected = new QuietestHeap(outputs, slots);
    this.candidates = candidates;
    this.stamper = new Stamper(stamps);
  }

  /** The time of the event being handled, in ms: set by the owner before each event (read by the minimum hold). */
  get now(): number {
    return this.stamper.clock.now;
  }

  set now(time: number) {
    this.stamper.clock.now = time;
  }

  /** How many sources are selected. */
  get size(): number {
    return this.selected.size;
  }

  /** The level at or above which a candidate's packet may take over a selection ({@link takeoverLevel}). */
  takeoverLevel(): number {
    return takeoverLevel(this.selected, this.slots, this.outputs, this.rule);
  }

  /** Whether `slot` is selected. */
  isSelected(slot: number): boolean {
    return this.slots.i32[I32_PER_SLOT * slot + HEAP]! >= 0;
  }

  /** When `slot`, which is selected, was selected, in ms. */
  selectedAt(slot: number): number {
    return this.selected.selectedAt(this.slots.i32[I32_PER_SLOT * slot + HEAP]!);
  }

  /** A new source: selected while fewer than `outputs` are, otherwise a candidate at -127. */
  add(slot: number): void {
    const f64 = this.slots.f64;
    this.slots.i32[I32_PER_SLOT * slot + HEAP] = -1;
    f64[F64_PER_SLOT * slot + LEVEL] = SILENCE;
    f64[F64_PER_SLOT * slot + STAMP] = this.stamper.next();
    if (this.selected.size < this.outputs) this.select(slot);
    else this.candidates.add(slot);
  }

  /**
   * A packet at `level` (already normalised). Returns whether the source is selected after it, that is whether its
   * packet is to be forwarded; a takeover has been reported to the listener by then.
   */
  packet(slot: number, level: number): boolean {
    const { f64, i32 } = this.slots;
    const at = F64_PER_SLOT * slot;
    if (i32[I32_PER_SLOT * slot + HEAP]! >= 0) {
      f64[at + LEVEL] = level;
      f64[at + STAMP] = this.stamper.next();
      this.selected.update(slot);
      return true;
    }
    // Out of its bucket before the level changes: the bucket is found from the level.
    this.candidates.remove(slot);
    f64[at + LEVEL] = level;
    f64[at + STAMP] = this.stamper.next();
    if (this.selected.size < this.outputs) {
      this.select(slot);
      return true;
    }
    const quietest = displaced(this.selected, this.slots, level, this.rule, this.now);
    if (quietest >= 0) {
      this.listener.pinning?.(slot);
      this.selected.remove(quietest);
      f64[F64_PER_SLOT * quietest + STAMP] = this.stamper.next();
      this.candidates.add(quietest);
      this.listener.deselected(quietest);
      this.select(slot);
      return true;
    }
    this.candidates.add(slot);
    return false;
  }

  /** A source leaves; a selected one is replaced at once by the loudest candidate (rule 4). */
  remove(slot: number): void {
    if (this.slots.i32[I32_PER_SLOT * slot + HEAP]! < 0) {
      this.candidates.remove(slot);
      return;
    }
    this.selected.remove(slot);
    this.listener.deselected(slot);
    refill(this.candidates, this.selectNow);
  }

  /** Gives free selections to the loudest candidates until none is free or no candidate is left (rule 4). */
  fill(): void {
    while (this.selected.size < this.outputs && refill(this.candidates, this.selectNow));
  }

  /** Continues the stamps of `other`, a selection this one is a copy of: the next touch comes after its last. */
  continueFrom(other: { readonly stamper: Stamper }): void {
    this.stamper.continueFrom(other.stamper);
  }

  /** Puts back a selected slot, selected at `since`, level and stamp as they are, telling no one (for a copy). */
  restoreSelected(slot: number, since: number): void {
    this.selected.insert(slot, since);
  }

  /** Puts back a candidate, level and stamp as they are; candidates must come in stamp order. */
  restoreCandidate(slot: number): void {
    this.candidates.add(slot);
  }

  clear(): void {
    this.selected.clear();
    this.candidates.clear();
  }

  private readonly selectNow = (slot: number): void => {
    this.select(slot);
  };

  private select(slot: number): void {
    this.listener.pinning?.(slot);
    this.slots.f64[F64_PER_SLOT * slot + STAMP] = this.stamper.next();
    this.selected.insert(slot, this.now);
    this.listener.selected(slot);
  }
}
