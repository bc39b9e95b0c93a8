// `node --import tsx bench/compare.ts <other checkout> [sources] [--strings] [--arrival | --jitter | --reshuffle]`:
// `AudioMixerCore` of this working tree against the one of another checkout of the repository (a `git worktree` of
// the commit before a change, say), driven directly on realistic traffic (SSRC ids unless `--strings`), in one
// process, in turns: twelve turns of about a million packets each, the first two not counted. On a machine whose
// speed moves by 20% from one run to the next, turns in one process are what tells a change of 10% from the noise.
// Each core gets its own copy of the feeding loop, so that neither is measured with the other's JIT feedback.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AudioMixerCore } from '../index.js';
import { arrivalFromArgs, realistic, type Traffic } from './workloads.js';

interface Core {
  push(event: unknown, now: number): void;
  expire(now: number): void;
}
type CoreClass = new (config: object, emit: () => void) => Core;

const other = process.argv[2];
if (other === undefined) throw new Error('usage: bench/compare.ts <other checkout> [sources] [--strings] [...]');
const sources = Number(process.argv[3] ?? 1000);
const traffic = arrivalFromArgs(
  realistic(sources, process.argv.includes('--strings') ? 'string' : 'ssrc'),
  process.argv,
);

// `feedRound` (bench/workloads.ts) with `expire` at each round, as source text, compiled once per core.
const LOOP = `return function run(core, t, rounds, start) {
  let events = 0;
  for (let r = start; r < start + rounds; r++) {
    const now = r * 20;
    core.expire(now);
    const round = r % t.rounds;
    const row = round * t.sources;
    for (const event of t.membership.get(round) ?? []) core.push(event, now);
    const order = t.arrival === undefined ? undefined : t.arrival[r % t.arrival.length];
    for (let k = 0; k < t.sources; k++) {
      const i = order === undefined ? k : order[k];
      const code = t.levels[row + i];
      if (code === 255) continue;
      const packet = t.packets[i];
      packet.level = -code;
      core.push(packet, now);
      events++;
    }
  }
  return events;
};`;
type Run = (core: Core, t: Traffic, rounds: number, start: number) => number;

const { AudioMixerCore: OtherCore } = (await import(pathToFileURL(resolve(other, 'index.ts')).href)) as {
  AudioMixerCore: CoreClass;
};
const cores = { 'this tree': AudioMixerCore as unknown as CoreClass, [other]: OtherCore };
const state = Object.entries(cores).map(([name, Core]) => {
  const core = new Core({ outputs: 3, threshold: 30, timeout: 1000 }, () => undefined);
  for (const source of traffic.ids) core.push({ type: 'source-added', source }, 0);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh copy of the loop per core, on purpose
  const run = (new Function(LOOP) as () => Run)();
  return { name, core, run, round: 1, ns: [] as number[] };
});
const rounds = Math.max(1, Math.ceil(1_000_000 / sources));
for (let turn = 0; turn < 12; turn++) {
  for (const s of turn % 2 === 0 ? state : [...state].reverse()) {
    const started = performance.now();
    const events = s.run(s.core, traffic, rounds, s.round);
    s.round += rounds;
    if (turn >= 2) s.ns.push(((performance.now() - started) * 1e6) / events);
  }
}
for (const s of state) {
  const sorted = s.ns.sort((a, b) => a - b);
  console.log(`${s.name}: median ${sorted[sorted.length >> 1]!.toFixed(1)} ns, least ${sorted[0]!.toFixed(1)} ns`);
}
