/**
 * Onset priority, a rule of the level normaliser (off unless `onsetBoost` is set; `speechMixer` sets it): the first
 * packets of a source that starts to sound after a pause rank `onsetBoost` dB higher, for `onsetFor` ms. A new turn
 * then takes an output at once, even while another speaker is still finishing theirs, instead of waiting for that
 * speaker's next pause; the minimum hold keeps the turn that took it for its first syllables.
 *
 * A packet *sounds* when it is at least {@link ONSET_GATE} dB above its source's floor. An onset is a packet that
 * sounds after `onsetAfter` ms or more of packets that did not (a pause between turns, not the gap between two
 * words). The boost lasts while the source keeps sounding, for at most `onsetFor` ms from the onset. A source's
 * first packets, with no pause seen before them, are not an onset: a mixer that starts mid-sentence does not favour
 * whoever happens to be speaking. Steady noise never sounds above its own floor, so a fan never gets the boost; a
 * cough or a door after a pause does, for `onsetFor` ms at most. Nor is a step to the level the source was last
 * steady at (a sender's return to its own silence after a turn, `rules/steadyFloor.ts`); a step to a new level that
 * then stays flat ends its boost once the steady floor has followed it up (after `steadyFor` ms).
 *
 * @module
 */

/** How far above its floor a packet must be to sound, in dB. */
export const ONSET_GATE = 10;

/**
 * The onset rule's options, already checked: what `normaliseLevels` gives {@link LevelNormaliser} for its
 * `onsetBoost`, `onsetAfter` and `onsetFor` options.
 *
 * @group State machines
 */
export interface OnsetRule {
  /** The boost, in dB; 0 turns the rule off. */
  readonly onsetBoost: number;
  /** The pause that must come before an onset, in ms. */
  readonly onsetAfter: number;
  /** How long the boost lasts after the onset, in ms. */
  readonly onsetFor: number;
}

/** What the rule remembers of one source. */
export interface OnsetState {
  /** Whether the source's latest packet sounded. */
  sounding: boolean;
  /** When its latest run of packets that did not sound began; NaN before its first such packet. */
  quietSince: number;
  /** When its current run of sounding packets began, if that was an onset; -Infinity otherwise. */
  onsetAt: number;
}

/**
 * The boost, in dB, of a packet `aboveFloor` dB above its source's floor at `now`; updates `state`. O(1). With
 * `mayStart` false the packet cannot be an onset (it returns to a level its source was steady at:
 * `rules/steadyFloor.ts`).
 */
export function onsetBoost(
  state: OnsetState,
  aboveFloor: number,
  now: number,
  rule: OnsetRule,
  mayStart: boolean,
): number {
  if (aboveFloor < ONSET_GATE) {
    if (state.sounding || Number.isNaN(state.quietSince)) state.quietSince = now;
    state.sounding = false;
    return 0;
  }
  if (!state.sounding) {
    // NaN (no pause seen yet) fails the comparison: no onset.
    state.onsetAt = mayStart && now - state.quietSince >= rule.onsetAfter ? now : -Infinity;
    state.sounding = true;
  }
  return now - state.onsetAt < rule.onsetFor ? rule.onsetBoost : 0;
}
