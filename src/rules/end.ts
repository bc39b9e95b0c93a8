/**
 * Rule 7, the end: on complete and on error, what is due goes first (`TimedStage`), then every pinned output is
 * unpinned in ascending output order, so that every `output-pin` is matched by exactly one `output-unpin`.
 *
 * @module
 */
import type { Outputs } from './pinning.js';

/** Unpins every pinned output of `outputs`, in ascending output order. */
export function releaseAll<S, D>(outputs: Outputs<S, D>): void {
  for (let output = 0; output < outputs.count; output++) {
    const slot = outputs.at(output);
    if (slot >= 0) outputs.unpin(slot);
  }
}
