import type { Active } from './activityList.js';
import { SILENCE } from '../rules/levelNormalisation.js';
import type { Pinnable } from '../rules/pinning.js';
import type { Ranked } from './ranked.js';

/**
 * Everything the mixer knows of one source. Every stage uses this one class, even for the fields it does not
 * need, so that the shared rules (`KnownSources`, `Selection`, `Outputs`) only ever see one
 * object shape and stay monomorphic on the hot path.
 */
export class SourceRecord<S> implements Active, Ranked, Pinnable<S> {
  /** Its slot in the stage's `KnownSources`. */
  slot = -1;
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
