/**
 * Steady floor, a rule of the level normaliser: a level that has barely moved for a while is a floor, whatever its
 * height. Speech moves by 10 dB and more within a few hundred ms; digital silence, dither, a hum, a fan and a sender's
 * processing sit still. So when a source's levels have stayed within `steadyWithin` dB of each other for `steadyFor`
 * ms, the highest of them is the source's *steady level* at once, instead of after the percentile of the window has
 * moved (and even above `maxFloor`). The source's floor is the higher of its percentile floor and its steady level:
 * speech is what rises above it and modulates. A steady level below the percentile floor (a sender of digital
 * silence at -127, dither at -105) changes nothing, and `minFloor` still applies.
 *
 * The steady level follows a steady sound up at once, and down only when the lower sound has been steady for half a
 * window (a pause between words, however flat, does not lower it; a fan switched off does, after `window / 2`). It is
 * forgotten when the source has not been steady near it for half a window (a level that sat still by chance, a held
 * note, does not keep the speaker under it for long).
 *
 * A return to the level a source was last steady at, or to its *rest* (the level it last lasted at, steady for half a
 * window: a silence, a hum), is no onset (`rules/onsetPriority.ts`), even once that level is forgotten: the return
 * of a sender to its own silence after a long turn (GStreamer's -59 dBov for digital silence, after pauses at -96) is
 * no new turn, even if a note held in the turn was steady since. It is also the source's floor at once, while its
 * packets stay within `steadyWithin` dB of it: the return does not rank above the next speaker's pauses while it
 * becomes steady again. That holds for the rest however long the turn; for a level the source was steady at only
 * briefly (before its first long silence, or a held note), within `returnWithin` (a window) of it, so that the speech
 * near a note is not ranked as silence for long.
 *
 * O(1) per packet, nothing allocated: the current run's lowest and highest levels and its start, the steady level and
 * when it was last seen.
 *
 * @module
 */

/**
 * The steady floor rule's options, already checked: what `normaliseLevels` gives {@link LevelNormaliser} for its
 * `steadyWithin`, `steadyFor` and `window` options.
 *
 * @group State machines
 */
export interface SteadyRule {
  /** How far a steady source's levels may spread, in dB (highest - lowest). */
  readonly steadyWithin: number;
  /** How long they must stay within `steadyWithin` to be a floor, in ms. */
  readonly steadyFor: number;
  /** How long a lower steady sound must last to lower the steady level, and how long it lasts unseen, in ms. */
  readonly forgetAfter: number;
  /**
   * For how long after a source was last steady at a level it did not last at (for `forgetAfter`) a return to it is
   * its floor at once, in ms; default twice `forgetAfter` (the normaliser's `window`).
   */
  readonly returnWithin?: number | undefined;
}

/** What the rule remembers of one source. */
export interface SteadyState {
  /** The lowest and highest levels of the current run: packets within `steadyWithin` dB of each other. */
  runLow: number;
  runHigh: number;
  /** When the current run began; NaN before the source's first packet. */
  runSince: number;
  /** The steady level; -Infinity: none. */
  steadyLevel: number;
  /** When the source was last steady at (or near) its steady level. */
  steadySeenAt: number;
  /**
   * The level the source was last steady at, learnt as the steady level is (up at once, down once a lower sound has
   * lasted) but never forgotten; NaN: never steady.
   */
  lastSteady: number;
  /** When the source was last steady at (or near) `lastSteady`. */
  lastSteadySeenAt: number;
  /**
   * The level the source last *lasted* at: steady for `forgetAfter` (half a window: a silence, a hum), not a held
   * note; NaN: none yet. Never forgotten.
   */
  restLevel: number;
  /** The steady floor the source's latest packet was ranked against ({@link learnSteady}'s answer); -Infinity: none. */
  steadyFloor: number;
}

/**
 * Learns a packet at `level` at `now`; returns the source's steady floor after it: its steady level (-Infinity when
 * it has none), or, while its current run stays near it, its rest or the level it was last steady at (for
 * `returnWithin` after it was last steady there), whichever is higher. O(1).
 */
export function learnSteady(state: SteadyState, level: number, now: number, rule: SteadyRule): number {
  const low = level < state.runLow ? level : state.runLow;
  const high = level > state.runHigh ? level : state.runHigh;
  // NaN (the first packet) fails the comparison: a new run.
  if (high - low <= rule.steadyWithin) {
    state.runLow = low;
    state.runHigh = high;
  } else {
    state.runLow = level;
    state.runHigh = level;
    state.runSince = now;
  }
  const lasted = now - state.runSince;
  if (lasted >= rule.steadyFor) {
    const run = state.runHigh;
    if (run >= state.steadyLevel - rule.steadyWithin || lasted >= rule.forgetAfter) {
      // Up at once (or the same sound again); down once the lower sound has lasted.
      if (run > state.steadyLevel || lasted >= rule.forgetAfter) state.steadyLevel = run;
      state.steadySeenAt = now;
    }
    // The same rule, never forgotten: a pause that is flat for a while does not replace the silence it returns to.
    if (!(run <= state.lastSteady) || lasted >= rule.forgetAfter) state.lastSteady = run;
    if (Math.abs(run - state.lastSteady) <= rule.steadyWithin) state.lastSteadySeenAt = now;
    if (lasted >= rule.forgetAfter) state.restLevel = run;
  } else if (now - state.steadySeenAt >= rule.forgetAfter) {
    state.steadyLevel = -Infinity;
  }
  // A source back at the level it was last steady at is at its floor at once, before steadyFor: after a turn longer
  // than forgetAfter (or a steady pause within it) its silence would otherwise rank above its floor until it has
  // been steady again. For the level it last lasted at (its rest: a silence, a hum), always; for one it was steady at
  // briefly (a held note), only returnWithin after it: the speech near a note is not ranked as silence for long.
  let floor = state.steadyLevel;
  if (state.restLevel > floor && runNear(state, state.restLevel, rule)) {
    floor = state.restLevel;
  } else if (
    state.lastSteady > floor &&
    runNear(state, state.lastSteady, rule) &&
    now - state.lastSteadySeenAt < (rule.returnWithin ?? 2 * rule.forgetAfter)
  ) {
    floor = state.lastSteady;
  }
  state.steadyFloor = floor;
  return floor;
}

/** Whether the current run of a source lies within `steadyWithin` dB of `level` (false for NaN). */
function runNear(state: SteadyState, level: number, rule: SteadyRule): boolean {
  return state.runLow >= level - rule.steadyWithin && state.runHigh <= level + rule.steadyWithin;
}

/**
 * Whether a packet at `level` returns to the level its source was last steady at, or to the one it last lasted at
 * (its rest): then it is no onset.
 */
export function returnsToSteady(state: SteadyState, level: number, rule: SteadyRule): boolean {
  return (
    Math.abs(level - state.lastSteady) <= rule.steadyWithin || Math.abs(level - state.restLevel) <= rule.steadyWithin
  );
}
