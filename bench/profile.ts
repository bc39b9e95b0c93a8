// `node --cpu-prof --import tsx bench/profile.ts [sources] [--staged | --floor] [--ssrc]`: the mixer alone on realistic traffic, for a profile.
import { identity, map, Subject, type Observable } from 'rxjs';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels, type SourceEvent } from 'rx-audio-mixer';
import { ManualScheduler } from './manualScheduler.js';
import { feedRound, PACKET_MS, realistic, type Id } from './workloads.js';

const sources = Number(process.argv[2] ?? 1000);
const traffic = realistic(sources, process.argv.includes('--ssrc') ? 'ssrc' : 'string');
const scheduler = new ManualScheduler();
const room = new Subject<SourceEvent<Id>>();
let emitted = 0;
const o = { outputs: 3, scheduler };
const mixer: Observable<unknown> = process.argv.includes('--staged')
  ? room.pipe(timeoutSources(o), trackLevels(o), selectLoudest(o), pinOutputs(o))
  : process.argv.includes('--floor')
    ? room.pipe(map(identity))
    : room.pipe(audioMixer(o));
mixer.subscribe(() => {
  emitted++;
});
const next = (event: SourceEvent<Id>) => {
  room.next(event);
};
for (const source of traffic.ids) next({ type: 'source-added', source });
const rounds = Math.ceil(5_000_000 / sources);
const started = performance.now();
let events = 0;
for (let round = 1; round <= rounds; round++) {
  scheduler.advanceTo(round * PACKET_MS);
  events += feedRound(traffic, round, next);
}
const elapsed = performance.now() - started;
console.log(
  `${sources} sources: ${((elapsed * 1e6) / events).toFixed(1)} ns/event over ${events} events (${emitted} emitted)`,
);
