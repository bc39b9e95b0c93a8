/** Room for this many outputs given back before the heap grows (doubling). */
const FIRST_CAPACITY = 4;

/**
 * The free output numbers, lowest first, O(log outputs) per take or give back. Memory grows with the outputs in use,
 * not with how many there are: outputs never taken yet are `fresh .. outputs-1`, kept as a number; those given back
 * (all below `fresh`) are in a binary min-heap that grows as needed.
 */
export class FreeOutputs {
  private heap = new Int32Array(FIRST_CAPACITY);
  private count = 0;
  /** The lowest output never taken: every output from here on is free. */
  private fresh = 0;

  /** Starts with outputs `0 .. outputs-1` all free. */
  constructor(private readonly outputs: number) {}

  /** Takes the lowest free output; -1 when none is free. */
  take(): number {
    if (this.count === 0) return this.fresh < this.outputs ? this.fresh++ : -1;
    const heap = this.heap;
    const lowest = heap[0]!;
    const last = heap[--this.count]!;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.count) break;
      if (child + 1 < this.count && heap[child + 1]! < heap[child]!) child += 1;
      if (heap[child]! >= last) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return lowest;
  }

  /** Takes `output`, which must be free: O(outputs), for copies only. */
  remove(output: number): void {
    const rest: number[] = [];
    for (let index = 0; index < this.count; index++) if (this.heap[index] !== output) rest.push(this.heap[index]!);
    // Never taken: those below it, never taken either, are free and go to the heap.
    for (let below = this.fresh; below < output; below++) rest.push(below);
    if (output >= this.fresh) this.fresh = output + 1;
    this.count = 0;
    for (const free of rest) this.give(free);
  }

  /** Gives `output` back. */
  give(output: number): void {
    if (this.count === this.heap.length) {
      const grown = new Int32Array(2 * this.heap.length);
      grown.set(this.heap);
      this.heap = grown;
    }
    const heap = this.heap;
    let index = this.count++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]! <= output) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = output;
  }
}
