import { Subject } from 'rxjs';
import { expect, expectTypeOf, it } from 'vitest';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';

it('infers source and data types from the stream it is piped into', () => {
  const room = new Subject<SourceEvent<number, Buffer>>();
  const mixed = room.pipe(audioMixer({ outputs: 3 }));
  expectTypeOf(mixed).toEqualTypeOf<import('rxjs').Observable<OutputEvent<number, Buffer>>>();
  const o = { outputs: 3 };
  const staged = room.pipe(timeoutSources(o), trackLevels(o), selectLoudest(o), pinOutputs(o));
  expectTypeOf(staged).toEqualTypeOf<import('rxjs').Observable<OutputEvent<number, Buffer>>>();
  const seen: number[] = [];
  mixed.subscribe((e) => seen.push(e.source));
  room.next({ type: 'source-added', source: 7 });
  expect(seen).toStrictEqual([7]);
});
