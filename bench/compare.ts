// `node --import tsx bench/compare.ts <other checkout> [sources] [--strings] [--arrival | --jitter | --reshuffle] [--cpu]`:
// `AudioMixerCore` of this working tree against the one of another checkout of the repository (a `git worktree` of
// the commit before a change, say), driven directly on realistic traffic (SSRC ids unless `--strings`), in one
// process, in turns (bench/turns.ts): twelve turns of about a million packets each, the first two not counted, each
// core with its own copy of the feeding loop. `--cpu` times the turns by the process's CPU time, not the wall clock.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AudioMixerCore } from '../index.js';
import { freshCopy, inTurns } from './turns.js';
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
const rounds = Math.max(1, Math.ceil(1_000_000 / sources));
inTurns(
  Object.entries({ 'this tree': AudioMixerCore as unknown as CoreClass, [other]: OtherCore }).map(([name, Core]) => {
    const core = new Core({ outputs: 3, threshold: 30, timeout: 1000 }, () => undefined);
    for (const source of traffic.ids) core.push({ type: 'source-added', source }, 0);
    const run = freshCopy(LOOP) as Run;
    let round = 1;
    return {
      name,
      turn: () => {
        const events = run(core, traffic, rounds, round);
        round += rounds;
        return events;
      },
    };
  }),
  process.argv.includes('--cpu') ? 'cpu' : 'wall',
);
