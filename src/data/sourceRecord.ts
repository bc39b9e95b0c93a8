import type { Active } from './activityList.js';
import { SILENCE } from '../rules/levelNormalisation.js';
import type { Pinnable } from '../rules/pinning.js';
import type { Ranked } from './ranked.js';

/**
 * One source as an object, for the stages that keep an object per source: the room (its shared view and its
 * listeners' views), and `OutputPinner`. Every one of them uses this one class, even for the fields it does not
 * need, so that the shared rules (`Selection`, `Outputs`) only ever see one object shape and stay monomorphic.
 * `AudioMixerCore` and `LoudestSelector` keep no object per source: see `SourceSlots`.
 */
export class SourceRecord<S> implements Active, Ranked, Pinnable<S> {
  /** Its slot in the stage's `KnownSources`. */
  slot = -1;
  /** When it was last active: the room keeps it for its views to compare with; a view's own `ActivityList`. */
  lastActive = 0;
  older: this | null = null;
  newer: this | null = null;
  level = SILENCE;
  stamp = 0;
  pinnedAt = 0;
  heapIndex = -1;
  candidateSlot = -1;
  output = -1;

  constructor(readonly source: S) {}
}
