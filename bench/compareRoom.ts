// `node --import tsx bench/compareRoom.ts <other checkout> [--churn]`: `RoomMixerCore` of this working tree against
// the one of another checkout, driven directly (no RxJS) with the room benchmark's traffic (bench/room.ts: 1 000
// sources, 1 000 listeners each excluding its own source; `--churn` for the churning noise), in one process, in
// turns (bench/turns.ts), as bench/compare.ts does for `AudioMixerCore`: a whole cycle of turns first, so that every view that
// diverges has, then twelve turns of a million packets, the first two not counted.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RoomMixerCore } from '../index.js';
import { roomTraffic } from './room.js';
import { freshCopy, inTurns } from './turns.js';

const churn = process.argv.includes('--churn');
const other = process.argv[2];
if (other === undefined) throw new Error('usage: bench/compareRoom.ts <other checkout> [--churn]');
const traffic = roomTraffic(1000, churn);
// The room benchmark's feeding loop with `expire` at each round, as source text, compiled once per core.
const LOOP = `return function run(core, t, rounds, start) {
  let events = 0;
  for (let r = start; r < start + rounds; r++) {
    const now = r * 20;
    core.expire(now);
    const round = r % t.rounds;
    const row = round * t.ids.length;
    for (let i = 0; i < t.ids.length; i++) {
      const packet = t.packets[i];
      packet.level = -t.levels[row + i];
      core.push(packet, now);
      events++;
    }
  }
  return events;
};`;
const { RoomMixerCore: Other } = (await import(pathToFileURL(resolve(other, 'index.ts')).href)) as {
  RoomMixerCore: typeof RoomMixerCore;
};
type Run = (core: RoomMixerCore, t: typeof traffic, rounds: number, start: number) => number;
inTurns(
  Object.entries({ 'this tree': RoomMixerCore, [other]: Other }).map(([name, Core]) => {
    const core = new Core<string, Uint8Array>({ outputs: 3, threshold: 30, timeout: 1000 });
    for (const own of traffic.ids) core.join({ exclude: new Set([own]), following: false }, () => undefined, 0);
    for (const source of traffic.ids) core.push({ type: 'source-added', source }, 0);
    const run = freshCopy(LOOP) as Run;
    run(core, traffic, traffic.rounds, 1);
    let round = 1 + traffic.rounds;
    return {
      name,
      turn: () => {
        const events = run(core, traffic, 1000, round);
        round += 1000;
        return events;
      },
      describe: () => `diverged ${core.divergedCount}`,
    };
  }),
);
