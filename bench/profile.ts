// `node --cpu-prof --import tsx bench/profile.ts [sources] [--staged | --floor | --core] [--ssrc]
// [--arrival | --jitter | --reshuffle]`: the mixer alone on realistic traffic, for a profile or a before/after
// figure. `--core` drives `AudioMixerCore` itself, without RxJS; `--arrival` sends each round's packets in a fixed
// random order rather than in join order, `--jitter` in that order with neighbours swapped, `--reshuffle` in a new
// random order every round.
import { identity, map, Subject, type Observable } from 'rxjs';
import {
  AudioMixerCore,
  audioMixer,
  pinOutputs,
  selectLoudest,
  timeoutSources,
  trackLevels,
  type SourceEvent,
} from 'rx-audio-mixer';
import { ManualScheduler } from './manualScheduler.js';
import { arrivalFromArgs, feedRound, PACKET_MS, realistic, type Id } from './workloads.js';

const sources = Number(process.argv[2] ?? 1000);
const traffic = arrivalFromArgs(realistic(sources, process.argv.includes('--ssrc') ? 'ssrc' : 'string'), process.argv);
const scheduler = new ManualScheduler();
let emitted = 0;
const count = () => {
  emitted++;
};
let next: (event: SourceEvent<Id>) => void;
if (process.argv.includes('--core')) {
  const core = new AudioMixerCore<Id, Uint8Array>({ outputs: 3, threshold: 30, timeout: 1000 }, count);
  next = (event) => {
    core.push(event, scheduler.now());
  };
  scheduler.schedule(function expire() {
    // What the operator's timer would do: expire at the deadline, then wait for the next one.
    core.expire(scheduler.now());
    const deadline = core.nextDeadline();
    if (deadline !== undefined) this.schedule(undefined, deadline - scheduler.now());
  }, 1000);
} else {
  const room = new Subject<SourceEvent<Id>>();
  const o = { outputs: 3, scheduler };
  const mixer: Observable<unknown> = process.argv.includes('--staged')
    ? room.pipe(timeoutSources(o), trackLevels(o), selectLoudest(o), pinOutputs(o))
    : process.argv.includes('--floor')
      ? room.pipe(map(identity))
      : room.pipe(audioMixer(o));
  mixer.subscribe(count);
  next = (event) => {
    room.next(event);
  };
}
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
