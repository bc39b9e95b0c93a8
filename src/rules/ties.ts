/**
 * Rule 8, ties. Every touch of a source (added, packet, selected, deselected) gives it a stamp later than every stamp
 * before: among equally quiet selected sources the one touched longest ago is taken over, and among equally loud
 * candidates the one touched most recently refills an output.
 *
 * The order itself, by level then stamp, is the data structures' (`isQuieter` in `data/quietestHeap.ts`, and
 * the stamp order of `data/candidateBuckets.ts`): they keep sources ranked by it. This file says where stamps come
 * from.
 *
 * @module
 */

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

/**
 * One selection's stamps from a {@link StampClock}: `base + n` for its n-th touch since the clock's base moved, so
 * that selections doing the same work for the same event give the same stamps. Every `Selection` has one.
 */
export class Stamper {
  /** The clock's base as this selection last saw it. */
  private base = -1;
  private op = 0;

  constructor(readonly clock: StampClock) {}

  /** The next stamp: later than every stamp given before, and the same in every selection doing the same work. */
  next(): number {
    const clock = this.clock;
    if (this.base !== clock.base) {
      this.base = clock.base;
      this.op = 0;
    }
    const stamp = clock.base + ++this.op;
    if (stamp > clock.high) clock.high = stamp;
    return stamp;
  }

  /** Continues the stamps of `other`, a selection this one is a copy of: the next touch comes after its last. */
  continueFrom(other: Stamper): void {
    this.base = other.base;
    this.op = other.op;
  }
}
