import type { InvalidHandler, SourceEvent, SourcePacket } from '../events/events.js';
import { SourceRegistry, type Known } from '../rules/sourceRegistry.js';
import { LOUDEST, SILENCE } from '../events/levels.js';
import { onsetBoost, type OnsetRule, type OnsetState } from '../rules/onsetPriority.js';
import { learnSteady, returnsToSteady, type SteadyRule, type SteadyState } from '../rules/steadyFloor.js';
import { TimedStage } from './timedStage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link LevelNormaliser}, already checked.
 *
 * @group State machines
 */
export interface LevelNormaliserConfig<S> {
  /** The span of recent levels a source's noise floor is learnt from, in ms. */
  readonly window: number;
  /** The floor is this percentile (0..100) of the levels in the window. */
  readonly percentile: number;
  /** The floor never goes above this level (dBov): a source that only ever speaks keeps speech above its floor. */
  readonly maxFloor: number;
  /**
   * The floor never goes below this level (dBov): a sender that sends -127 in its pauses does not rank its speech
   * 97 dB above silence, far above a sender whose pauses measure -65.
   */
  readonly minFloor: number;
  /**
   * Steady floor (`rules/steadyFloor.ts`): a level that has stayed within `steadyWithin` dB for `steadyFor` ms is a
   * floor at once; `null` or missing for none (the floor is the percentile alone). `normaliseLevels` sets it, with
   * `forgetAfter` half the window and `returnWithin` the window.
   */
  readonly steady?: SteadyRule | null | undefined;
  /** Onset priority (`rules/onsetPriority.ts`), or `null` (the default) for none. */
  readonly onset?: OnsetRule | null | undefined;
  /** A source's gain offset in dB, added after normalisation. */
  readonly gainOf: ((source: S) => number) | undefined;
  /** Silence after which a source's state is dropped, in ms. */
  readonly timeout: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

const BINS = LOUDEST - SILENCE + 1;
/** Packets between two recomputations of a floor (and after each half-window turn): with 20 ms packets, twice a second. */
const RECOMPUTE_EVERY = 25;

/**
 * What the normaliser knows of one source: two half-window histograms of its levels, its percentile floor, its
 * steady runs, its onsets.
 */
class SourceFloor implements Known, OnsetState, SteadyState {
  slot = -1;
  /** Counts per whole dB, saturating at 255: the current half window, then the one before. */
  readonly current = new Uint8Array(BINS);
  readonly previous = new Uint8Array(BINS);
  /** When the current half window ends. */
  rotateAt = 0;
  /** Packets learnt from. */
  count = 0;
  /** The percentile floor, within minFloor..maxFloor. */
  floor: number;
  runLow = Number.NaN;
  runHigh = Number.NaN;
  runSince = Number.NaN;
  steadyLevel = -Infinity;
  steadySeenAt = Number.NaN;
  lastSteady = Number.NaN;
  lastSteadySeenAt = Number.NaN;
  restLevel = Number.NaN;
  steadyFloor = -Infinity;
  sounding = false;
  quietSince = Number.NaN;
  onsetAt = -Infinity;

  constructor(maxFloor: number) {
    this.floor = maxFloor;
  }
}

/**
 * Makes sources comparable before selection: each packet's level becomes its level above the source's own noise
 * floor, mapped back into dBov as `-127 + (level - floor) + gain`, clamped to -127..0. A packet at its source's floor
 * is silence (-127); speech 40 dB above it is -87, whatever the sender's idea of silence (-127, -65) or a fan's hum.
 *
 * The floor is the `percentile` (default 10) of the source's levels over the last `window` ms (default 10 s): two
 * histograms of the 128 whole-dB levels, each for half the window, so that a packet costs O(1); the floor is
 * recomputed (128 bins) every 25 packets and at each half-window turn. It adapts within half a window to a noise
 * that changes (a fan switched on is its floor after 5 s to 10 s), and stays within `minFloor`..`maxFloor` (default
 * -80..-50 dBov): a source that joins mid-sentence, or that only ever speaks, does not learn its speech as its
 * floor, and a sender of digital silence (-127 in its pauses) does not rank its speech far above the others. Packets
 * without a usable level pass unchanged (the mixer takes them as silence and reports them). A source's state is
 * dropped when it is removed, or after `timeout` ms without a packet.
 *
 * With a `steady` rule (steady floor, `rules/steadyFloor.ts`), a level that has stayed within `steadyWithin` dB for
 * `steadyFor` ms is a floor at once, whatever its height: the floor is the higher of the percentile and that level (or
 * of the level the source was last steady at, when it returns to it).
 * With an `onset` rule, the first packets of a turn after a pause rank `onsetBoost` dB higher for `onsetFor` ms
 * (onset priority, `rules/onsetPriority.ts`).
 *
 * @group State machines
 */
export class LevelNormaliser<S, D> extends TimedStage<SourceEvent<S, D>, S, SourceFloor> {
  private readonly half: number;
  private readonly onset: OnsetRule | null;
  private readonly steady: SteadyRule | null;

  constructor(
    private readonly config: LevelNormaliserConfig<S>,
    private readonly emit: (event: SourceEvent<S, D>) => void,
  ) {
    super(new SourceRegistry<S, SourceFloor>(config.timeout, config.onInvalid, () => new SourceFloor(config.maxFloor)));
    this.half = config.window / 2;
    this.onset = config.onset ?? null;
    this.steady = config.steady ?? null;
  }

  /**
   * The floor `source`'s latest packet was ranked against (the higher of its percentile floor and its steady floor),
   * or `undefined` if it holds none.
   */
  floorOf(source: S): number | undefined {
    const state = this.sources.get(source);
    if (state === undefined) return undefined;
    return this.steady === null ? state.floor : Math.max(state.floor, state.steadyFloor);
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as SourcePacket<S, D>;
        const level: unknown = packet.level;
        if (typeof level !== 'number' || !(level <= LOUDEST && level >= SILENCE)) {
          this.emit(packet); // the mixer repairs and reports it
          return;
        }
        this.emit({ ...packet, level: this.rank(packet.source, level, now) });
        return;
      }
      case 'source-removed':
        this.sources.remove(event.source);
        this.emit(event);
        return;
      case 'source-added':
        this.emit(event);
        return;
      default:
        reportInvalidEvent(this.config.onInvalid, event, 'a source event');
    }
  }

  /**
   * What a packet of `source` at `level` (a number in -127..0) at `time` becomes: its level above the source's floor,
   * learnt from it. What each packet through {@link Stage.push} gets, for a stage that keeps this one inside (the
   * dominant speaker) and wants no copy of the packet. It does not expire anything: `expire` or `push` first.
   */
  rank(source: S, level: number, time: number): number {
    const now = this.sources.now(time);
    const slot = this.sources.slotOf(source);
    let state: SourceFloor;
    if (slot < 0) {
      state = this.sources.recordAt(this.sources.add(source, now));
      state.rotateAt = now + this.half;
    } else {
      state = this.sources.recordAt(slot);
      this.sources.touch(slot, now);
    }
    this.learn(state, level, now);
    let floor = state.floor;
    let mayStart = true;
    if (this.steady !== null) {
      // Tested before this packet is learnt: whether it steps back to the level the source was last steady at.
      if (this.onset !== null) mayStart = !returnsToSteady(state, level, this.steady);
      const steady = learnSteady(state, level, now, this.steady);
      if (steady > floor) floor = steady;
    }
    const aboveFloor = level - floor;
    let gain = this.config.gainOf?.(source) ?? 0;
    if (this.onset !== null) gain += onsetBoost(state, aboveFloor, now, this.onset, mayStart);
    return Math.min(LOUDEST, Math.max(SILENCE, SILENCE + aboveFloor + gain));
  }

  /** A source's state is dropped when it times out; nothing is emitted. @hidden */
  protected timedOut(): void {
    // Forgotten already.
  }

  private learn(state: SourceFloor, level: number, now: number): void {
    if (now >= state.rotateAt) {
      // A half window has passed (or more, after a silence): the older half is dropped.
      const skipped = now - state.rotateAt >= this.half;
      if (skipped) state.previous.fill(0);
      else state.previous.set(state.current);
      state.current.fill(0);
      state.rotateAt = now + this.half;
      state.count = 0;
    }
    const bin = Math.round(level) - SILENCE;
    if (state.current[bin]! < 255) state.current[bin]! += 1;
    // Every packet while the source is new, then every RECOMPUTE_EVERY packets: O(1) per packet on average.
    if (++state.count <= 4 || state.count % RECOMPUTE_EVERY === 0) state.floor = this.floorFrom(state);
  }

  /** The percentile of the two half windows, within `minFloor`..`maxFloor`. */
  private floorFrom(state: SourceFloor): number {
    let total = 0;
    for (let bin = 0; bin < BINS; bin++) total += state.current[bin]! + state.previous[bin]!;
    const rank = (this.config.percentile / 100) * total;
    let seen = 0;
    for (let bin = 0; bin < BINS; bin++) {
      seen += state.current[bin]! + state.previous[bin]!;
      if (seen > 0 && seen >= rank)
        return Math.min(this.config.maxFloor, Math.max(this.config.minFloor, bin + SILENCE));
    }
    return this.config.maxFloor;
  }
}
