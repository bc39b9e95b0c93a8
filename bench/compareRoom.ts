// `node --import tsx bench/compareRoom.ts <other checkout> [--churn]`: `RoomMixerCore` of this working tree against
// the one of another checkout, driven directly (no RxJS) with the room benchmark's traffic (bench/room.ts: 1 000
// sources, 1 000 listeners each excluding its own source; `--churn` for the churning noise), in one process, in
// turns, as bench/compare.ts does for `AudioMixerCore`: a whole cycle of turns first, so that every view that
// diverges has, then twelve turns of a million packets, the first two not counted.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RoomMixerCore } from '../index.js';
import { roomTraffic } from './room.js';

const churn = process.argv.includes('--churn');
const other = process.argv[2];
if (other === undefined) throw new Error('usage: bench/compareRoom.ts <other checkout> [--churn]');
const sources = 1000;
const traffic = roomTraffic(sources, churn);
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
const state = Object.entries({ 'this tree': RoomMixerCore, [other]: Other }).map(([name, Core]) => {
  const core = new Core<string, Uint8Array>({ outputs: 3, threshold: 30, timeout: 1000 });
  let delivered = 0;
  for (let i = 0; i < sources; i++)
    core.join(
      { exclude: new Set([traffic.ids[i]!]), following: false },
      () => {
        delivered++;
      },
      0,
    );
  for (const source of traffic.ids) core.push({ type: 'source-added', source }, 0);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh copy of the loop per core, on purpose
  const run = (new Function(LOOP) as () => (c: unknown, t: unknown, r: number, s: number) => number)();
  run(core, traffic, traffic.rounds, 1);
  return { name, core, run, round: 1 + traffic.rounds, ns: [] as number[], d: () => delivered };
});
for (let turn = 0; turn < 12; turn++) {
  for (const s of turn % 2 === 0 ? state : [...state].reverse()) {
    const t0 = performance.now();
    const events = s.run(s.core, traffic, 1000, s.round);
    s.round += 1000;
    if (turn >= 2) s.ns.push(((performance.now() - t0) * 1e6) / events);
  }
}
for (const s of state) {
  const sorted = s.ns.sort((a, b) => a - b);
  console.log(
    `${s.name}: median ${sorted[sorted.length >> 1]!.toFixed(1)} ns, least ${sorted[0]!.toFixed(1)} ns, diverged ${s.core.divergedCount}`,
  );
}
