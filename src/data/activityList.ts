import { ACTIVE, F64_PER_SLOT, I32_PER_SLOT, NEWER, OLDER, type SourceSlots } from './sourceSlots.js';

const NONE = -1;

/**
 * The known sources ordered by last activity, oldest first, the links and times in
 * the slots' records ({@link SourceSlots}). A touch is O(1) and the sources due to time out are at the oldest end,
 * so finding them costs O(expired).
 */
export class ActivityList {
  oldest = NONE;
  private newest = NONE;
  private latest = -Infinity;

  constructor(private readonly slots: SourceSlots) {}

  /**
   * `now`, or the latest time seen if `now` is earlier. A wall clock can step back (an NTP correction); the list
   * must stay sorted, so a source is never timed out early, only, after such a step, a little late.
   */
  monotonic(now: number): number {
    if (now > this.latest) this.latest = now;
    return this.latest;
  }

  get latestTime(): number {
    return this.latest;
  }

  /** When `slot` was last active. */
  lastActive(slot: number): number {
    return this.slots.f64[F64_PER_SLOT * slot + ACTIVE]!;
  }

  /** The slot after `slot` (more recently active), or -1. */
  newer(slot: number): number {
    return this.slots.i32[I32_PER_SLOT * slot + NEWER]!;
  }

  /** When the oldest source falls silent for `timeout` ms, or `undefined` when the list is empty. */
  deadline(timeout: number): number | undefined {
    return this.oldest === NONE ? undefined : this.lastActive(this.oldest) + timeout;
  }

  /** The oldest slot if it has been silent for `timeout` ms at `now`, else -1. */
  due(now: number, timeout: number): number {
    const oldest = this.oldest;
    return oldest !== NONE && this.lastActive(oldest) + timeout <= now ? oldest : NONE;
  }

  /** Adds `slot`, active at `now`. */
  append(slot: number, now: number): void {
    const { f64, i32 } = this.slots;
    const at = I32_PER_SLOT * slot;
    f64[F64_PER_SLOT * slot + ACTIVE] = now;
    i32[at + OLDER] = this.newest;
    i32[at + NEWER] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else i32[I32_PER_SLOT * this.newest + NEWER] = slot;
    this.newest = slot;
  }

  /** Marks `slot` active at `now`. */
  touch(slot: number, now: number): void {
    if (slot !== this.newest) {
      this.remove(slot);
      this.append(slot, now);
    } else this.slots.f64[F64_PER_SLOT * slot + ACTIVE] = now;
  }

  remove(slot: number): void {
    const i32 = this.slots.i32;
    const at = I32_PER_SLOT * slot;
    const older = i32[at + OLDER]!;
    const newer = i32[at + NEWER]!;
    if (older === NONE) this.oldest = newer;
    else i32[I32_PER_SLOT * older + NEWER] = newer;
    if (newer === NONE) this.newest = older;
    else i32[I32_PER_SLOT * newer + OLDER] = older;
  }

  clear(): void {
    this.oldest = this.newest = NONE;
  }
}
