// The follow mode as the README showed it before mixRoom (a recipe in front of audioMixer) and as listen({ follow })
// agree on the README's example, and on a longer one (up to the end: the recipe's merge never completed).
import { describe, expect, it } from 'vitest';
import { BehaviorSubject, filter, map, merge, mergeMap, pairwise, Subject, withLatestFrom } from 'rxjs';
import { audioMixer, mixRoom, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';

function recipe(room: Subject<SourceEvent>, following: BehaviorSubject<Set<string>>, seen: OutputEvent[]) {
  const followed = room.pipe(
    withLatestFrom(following),
    filter(([event, sources]) => sources.has(event.source)),
    map(([event]) => event),
  );
  const unfollowed = following.pipe(
    pairwise(),
    mergeMap(([before, after]) => [...before].filter((s) => !after.has(s))),
    map((source): SourceEvent => ({ type: 'source-removed', source })),
  );
  merge(followed, unfollowed)
    .pipe(audioMixer({ outputs: 1 }))
    .subscribe((e) => seen.push(e));
}

function listen(room: Subject<SourceEvent>, following: BehaviorSubject<Set<string>>, seen: OutputEvent[]) {
  mixRoom(room, { outputs: 1 })
    .listen({ follow: following })
    .subscribe((e) => seen.push(e));
}

const data = new Uint8Array(1);
const scripts: [string, (room: Subject<SourceEvent>, following: BehaviorSubject<Set<string>>) => void][] = [
  [
    "the README's example",
    (room, following) => {
      room.next({ type: 'source-pkt', source: 'carol', level: -10, data });
      room.next({ type: 'source-pkt', source: 'alice', level: -30, data });
      room.next({ type: 'source-pkt', source: 'bob', level: -40, data });
      following.next(new Set(['bob']));

    },
  ],
  [
    'a longer one',
    (room, following) => {
      room.next({ type: 'source-added', source: 'alice' });
      room.next({ type: 'source-pkt', source: 'bob', level: -20, data });
      room.next({ type: 'source-pkt', source: 'alice', level: -5, data });
      following.next(new Set(['alice']));
      room.next({ type: 'source-pkt', source: 'alice', level: -6, data });
      following.next(new Set([]));
      room.next({ type: 'source-pkt', source: 'carol', level: -1, data });

    },
  ],
];

describe('the follow mode: the old recipe and listen({ follow }) agree', () => {
  it.each(scripts)('%s', (_name, script) => {
    const viaRecipe: OutputEvent[] = [];
    const viaListen: OutputEvent[] = [];
    for (const [run, seen] of [
      [recipe, viaRecipe],
      [listen, viaListen],
    ] as const) {
      const room = new Subject<SourceEvent>();
      const following = new BehaviorSubject(new Set(['alice', 'bob']));
      run(room, following, seen);
      script(room, following);
    }
    expect(viaListen).toStrictEqual(viaRecipe);
    expect(viaListen.length).toBeGreaterThan(2);
  });
});
