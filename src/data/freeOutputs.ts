/** The free output numbers, lowest first: a binary min-heap, O(log outputs) per take or give back. */
export class FreeOutputs {
  private readonly heap: Int32Array;
  private count: number;

  /** Starts with outputs `0 .. outputs-1` all free. */
  constructor(outputs: number) {
    this.heap = new Int32Array(outputs);
    for (let output = 0; output < outputs; output++) this.heap[output] = output;
    this.count = outputs;
  }

  /** Takes the lowest free output; -1 when none is free. */
  take(): number {
    if (this.count === 0) return -1;
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
    this.count = 0;
    for (const free of rest) this.give(free);
  }

  /** Gives `output` back. */
  give(output: number): void {
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
