/** What the rankings (`QuietestHeap`, `CandidateBuckets`) need to know of a source: rule 8's stamp among them. */
export interface Ranked {
  level: number;
  stamp: number;
  /** When it was last selected, in ms (for the minimum hold). */
  pinnedAt: number;
  /** Position in `QuietestHeap`, or -1 when not in it. */
  heapIndex: number;
  /** Its slot in `CandidateBuckets`, or -1 when it is not a candidate there. */
  candidateSlot: number;
}
