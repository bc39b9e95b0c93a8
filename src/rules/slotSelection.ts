import { SlotCandidates } from '../data/slotCandidates.js';
import { SlotHeap } from '../data/slotHeap.js';
import { F64_PER_SLOT, HEAP, I32_PER_SLOT, LEVEL, STAMP, type SourceSlots } from '../data/sourceSlots.js';
import { SILENCE } from './levelNormalisation.js';
import { refillSlot } from './refill.js';
import { displacedSlot, type TakeoverRule } from './takeover.js';

/** Told of every change of a slot selection, in the order the rules make them. */
export interface SlotSelectionListener {
  selected(slot: number): void;
  deselected(slot: number): void;
}

/**
 * {@link Selection} for sources kept by slot, as `AudioMixerCore` and `LoudestSelector` keep them: the same rules
 * (rule 1's free selections, rule 2's takeover and rule 9's hold, rule 3, rule 4's refill, rule 8's stamps), the
 * levels and stamps in the slots' records ({@link SourceSlots}), the selected in a {@link SlotHeap} and the
 * candidates in {@link SlotCandidates}. The room's views keep an object per source and use {@link Selection}; a
 * property test checks that the staged pipeline and `audioMixer` agree.
 */
export class SlotSelection {
  private readonly selected: SlotHeap;
  private readonly candidates: SlotCandidates;
  private readonly rule: TakeoverRule;
  private stamps = 0;
  /** The time of the event being handled, in ms: set by the owner before each event (read by the minimum hold). */
  now = 0;

  constructor(
    private readonly outputs: number,
    threshold: number,
    minHold: number,
    private readonly slots: SourceSlots,
    private readonly listener: SlotSelectionListener,
  ) {
    this.rule = { threshold, minHold };
    this.selected = new SlotHeap(outputs, slots);
    this.candidates = new SlotCandidates(slots);
  }

  /** How many sources are selected. */
  get size(): number {
    return this.selected.size;
  }

  /** A new source: selected while fewer than `outputs` are, otherwise a candidate at -127. */
  add(slot: number): void {
    const f64 = this.slots.f64;
    this.slots.i32[I32_PER_SLOT * slot + HEAP] = -1;
    f64[F64_PER_SLOT * slot + LEVEL] = SILENCE;
    f64[F64_PER_SLOT * slot + STAMP] = ++this.stamps;
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
      f64[at + STAMP] = ++this.stamps;
      this.selected.update(slot);
      return true;
    }
    // Out of its bucket before the level changes: the bucket is found from the level.
    this.candidates.remove(slot);
    f64[at + LEVEL] = level;
    f64[at + STAMP] = ++this.stamps;
    if (this.selected.size < this.outputs) {
      this.select(slot);
      return true;
    }
    const quietest = displacedSlot(this.selected, this.slots, level, this.rule, this.now);
    if (quietest >= 0) {
      this.selected.remove(quietest);
      f64[F64_PER_SLOT * quietest + STAMP] = ++this.stamps;
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
    refillSlot(this.candidates, this.selectNow);
  }

  clear(): void {
    this.selected.clear();
    this.candidates.clear();
  }

  private readonly selectNow = (slot: number): void => {
    this.select(slot);
  };

  private select(slot: number): void {
    this.slots.f64[F64_PER_SLOT * slot + STAMP] = ++this.stamps;
    this.selected.insert(slot, this.now);
    this.listener.selected(slot);
  }
}
