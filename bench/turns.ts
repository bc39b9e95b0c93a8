/**
 * What `bench/compare.ts` and `bench/compareRoom.ts` share: a fresh copy of a feeding loop for each contender, and
 * the contenders run in turns in one process. On a machine whose speed moves by 20% from one run to the next, turns
 * in one process are what tells a change of 10% from the noise.
 */

/**
 * A fresh copy of the function that `source` (a function body returning it) makes: each contender gets its own, so
 * that neither is measured with the other's JIT feedback.
 */
export function freshCopy(source: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh copy of the loop per contender, on purpose
  return (new Function(source) as () => unknown)();
}

/** One contender: its name, and one turn of work, which returns how many events it handled. */
export interface Contender {
  readonly name: string;
  turn(): number;
  /** Said after its figures. */
  describe?(): string;
}

/** Now, in ms: the wall clock, or the CPU time of this process (user and system), which a busy machine's other processes do not add to. */
function clockOf(clock: 'wall' | 'cpu'): () => number {
  if (clock === 'wall') return () => performance.now();
  return () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
}

/**
 * Runs the contenders' turns alternately (reversed every other turn), twelve turns, the first two not counted; prints
 * each one's median and least ns per event. With `clock: 'cpu'` a turn is timed by this process's CPU time rather than
 * the wall clock (`--cpu`): on a machine shared with other work, the time it spent waiting for a core is not counted.
 */
export function inTurns(contenders: readonly Contender[], clock: 'wall' | 'cpu' = 'wall'): void {
  const now = clockOf(clock);
  const ns = contenders.map(() => [] as number[]);
  const order = contenders.map((_, i) => i);
  for (let turn = 0; turn < 12; turn++) {
    for (const i of turn % 2 === 0 ? order : [...order].reverse()) {
      const started = now();
      const events = contenders[i]!.turn();
      if (turn >= 2) ns[i]!.push(((now() - started) * 1e6) / events);
    }
  }
  contenders.forEach((c, i) => {
    const sorted = ns[i]!.sort((a, b) => a - b);
    const extra = c.describe === undefined ? '' : `, ${c.describe()}`;
    console.log(
      `${c.name}: median ${sorted[sorted.length >> 1]!.toFixed(1)} ns, least ${sorted[0]!.toFixed(1)} ns${extra}`,
    );
  });
}
