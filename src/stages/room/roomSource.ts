import type { CopyEntry, CopyView } from './copyView.js';
import type { DeltaEntry } from './deltaView.js';

/**
 * A source as the room knows it: its slot in the shared view ({@link SharedView} keeps its level, stamp, selection
 * and output there), and where the listeners' own views keep it. Its slot is also its place in the room's
 * `SourceRegistry`, which knows when it was last active.
 */
export class RoomSource<S, D> {
  /** Its slot in the room's `SourceRegistry`, and so in the shared view. */
  slot = -1;
  /** Its entries in copy views ({@link CopyView}), or `null` when no copy view knows it. */
  copies: CopyEntry<S, D>[] | null = null;
  /** Copy views that hear it but do not know it yet: they learn it at its next event. */
  awaiting: CopyView<S, D>[] | null = null;
  /** Its entries in delta views (`DeltaView`), or `null` when it differs from the shared view in none. */
  deltas: DeltaEntry<S, D>[] | null = null;

  constructor(readonly source: S) {}
}

/** `list` without `item`, or `null` when nothing is left. */
export function without<T>(list: T[] | null, item: T): T[] | null {
  if (list === null) return null;
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
  return list.length === 0 ? null : list;
}
