import { describe, expect, it } from 'vitest';
import { BehaviorSubject, defer, EMPTY, NEVER, of, Subject, throwError, type Observable } from 'rxjs';
import { audioMixer, mixRoom, RoomMixerCore, type InvalidReport, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { added, marbles, packet, pin, pkt, removed, unpin, type In, type Out } from './helpers.js';

const values = {
  a: added('alice'),
  b: added('bob'),
  c: added('carol'),
  A: packet('alice', -20, 'a1'),
  B: packet('bob', -10, 'b1'),
  C: packet('carol', -10, 'c1'),
  x: removed('alice'),
  y: removed('bob'),
};
const outs = {
  P: pin(0, 'alice'),
  Q: pin(1, 'bob'),
  R: pin(0, 'carol'),
  S: pin(1, 'carol'),
  T: pin(0, 'bob'),
  U: unpin(0, 'alice'),
  V: unpin(1, 'bob'),
  W: unpin(0, 'carol'),
  X: unpin(1, 'carol'),
  Y: unpin(0, 'bob'),
  K: pkt(0, 'carol', -10, 'c1'),
  L: pkt(1, 'carol', -10, 'c1'),
  M: pkt(1, 'bob', -10, 'b1'),
  N: pkt(0, 'bob', -10, 'b1'),
  Z: pkt(0, 'alice', -20, 'a1'),
};

const room$ = (source: Observable<In>, o: { outputs: number; timeout?: number; onInvalid?: (r: InvalidReport) => void }, scheduler: import('rxjs').SchedulerLike) =>
  mixRoom<string, string>(source, { ...o, scheduler });

describe('mixRoom', () => {
  it('mix-minus: a listener never hears the sources it excludes, and the others hear them', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-C-------|', values);
    const subs = '        ^-----------!';
    const room = room$(source, { outputs: 2 }, m.scheduler);
    m.expect(room.listen({ exclude: ['carol'] })).toBeObservable('P-Q---------(UV|)', outs);
    m.expect(room.listen()).toBeObservable(                      'P-Q-(URK)---(WV|)', outs);
    m.expect(room.listen({ exclude: ['alice'] })).toBeObservable('--T-(SL)----(YX|)', outs);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('a listener joining later first gets a pin for each output its view holds, then what follows', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-C-----B-|', values);
    const room = room$(source, { outputs: 2 }, m.scheduler);
    m.expect(room.listen()).toBeObservable('P-Q-(URK)-M-(WV|)', outs); // keeps the room running from frame 0
    // At frame 6 the shared view holds carol (0) and bob (1). Without carol: bob keeps 1, alice refills 0.
    m.expect(room.listen({ exclude: ['carol'] }), '------^').toBeObservable('------(PQ)M-(UV|)', outs);
    m.expect(room.listen(), '------^').toBeObservable(                      '------(RQ)M-(WV|)', outs);
  }));

  it('subscribes to the sources with its first listener and unsubscribes when its last one leaves', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-C---B---|', values);
    const subs = '        -^-----!     ';
    const room = room$(source, { outputs: 1 }, m.scheduler);
    // The first listener joins at 1 (alice's add at 0 is before the room), the second at 3 without bob.
    m.expect(room.listen(), '-^----!').toBeObservable('--T-(YRK)', outs);
    m.expect(room.listen({ exclude: ['bob'] }), '---^---!').toBeObservable('----(RK)', outs);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('starts afresh for the next listener after the sources completed', marbles((m) => {
    // prettier-ignore
    const source = m.cold('a-|', values);
    const subs = ['        ^-!     ', '        ----^-!'];
    const room = room$(source, { outputs: 1 }, m.scheduler);
    m.expect(room.listen()).toBeObservable('P-(U|)', outs);
    m.expect(room.listen(), '----^').toBeObservable('----P-(U|)', outs);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('times sources out in every view as audioMixer does', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a---b-----C---------|', values);
    const room = room$(source, { outputs: 1, timeout: 5 }, m.scheduler);
    // alice times out at 5 and bob refills her output; bob times out at 9; carol joins at 10, times out at 15.
    m.expect(room.listen()).toBeObservable(                      'P----(UT)Y(RK)-W----|', outs);
    m.expect(room.listen({ exclude: ['carol'] })).toBeObservable('P----(UT)Y----------|', outs);
  }));

  it('follow: hears only the latest set, forgets at once the sources that leave it', marbles((m) => {
    // prettier-ignore
    const follow = m.hot('f--------g--------', { f: ['alice', 'bob'], g: ['bob'] });
    const source = m.hot('-a-b-C-A-----B---|', values);
    const room = room$(source, { outputs: 1 }, m.scheduler);
    // bob added at 3 waits; carol is not followed; alice's packet at 7; at 9 alice is no longer followed:
    // unpin, bob refills; bob's packet at 13.
    m.expect(room.listen({ follow })).toBeObservable('-P-----Z-(UT)N---(Y|)', outs);
  }));

  it('follow: a source its view timed out while the room still knows it is learnt again at its next event', marbles((m) => {
    // prettier-ignore
    const follow = m.hot('fg', { f: [], g: ['bob'] });
    const source = m.hot('(ab)b--b--B---|', values);
    const room = room$(source, { outputs: 1, timeout: 5 }, m.scheduler);
    // bob, known to the room since 0, is followed from 1 and learnt at his next event (2). The room times him out at 5
    // and meets him again at once; the view, which learnt him at 2, times him out at 7. At 8 his packet makes him
    // new to the view again, as audioMixer fed what the listener hears would.
    m.expect(room.listen({ follow })).toBeObservable('----T----Y(TN)(Y|)', outs);
  }));

  it('follow: nothing is heard before the first set; a set emitted at once on subscription counts', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b---B----|', values);
    const late = m.hot('  ---f', { f: ['alice', 'bob'] });
    const room = room$(source, { outputs: 2 }, m.scheduler);
    // alice and bob were added before the first set: they are known from their next event, bob's packet at 6.
    m.expect(room.listen({ follow: late })).toBeObservable('------(TN)-(Y|)', outs);
    m.expect(room.listen({ follow: new BehaviorSubject(['alice']) })).toBeObservable('P----------(U|)', outs);
  }));

  it('follow: an error ends that listener as an input error ends audioMixer, and no other', marbles((m) => {
    // prettier-ignore
    const follow = m.hot('f-----#', { f: ['alice', 'bob'] }, new Error('follow failed'));
    const source = m.hot('-a-b-B---|', values);
    const room = room$(source, { outputs: 2 }, m.scheduler);
    m.expect(room.listen({ follow })).toBeObservable('-P-Q-M(UV#)', outs, new Error('follow failed'));
    m.expect(room.listen()).toBeObservable(          '-P-Q-M---(UV|)', outs);
  }));

  it('follow: an error as a source times out ends with the unpins of the view the listener had forked into by then', marbles((m) => {
    // prettier-ignore
    const follow = m.hot('f-----#', { f: ['alice'] }, new Error('follow failed'));
    const source = m.hot('aAcC---------|', values);
    const room = room$(source, { outputs: 1, timeout: 5 }, m.scheduler);
    // At 6 alice times out, in the same instant as the error: the room refills with carol, whom the listener does not
    // hear, so its view forks first; it ends with the unpins of its own view (alice's, then none), never carol's.
    const subs = '        ^-----!';
    m.expect(room.listen({ follow })).toBeObservable('PZ----(U#)', outs, new Error('follow failed'));
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('RoomMixerCore.endListener: an aligned follower that forks while what is due expires gets its own view\'s unpins', () => {
    const core = new RoomMixerCore<string, string>({ outputs: 1, threshold: 30, timeout: 1000 });
    const seen: Out[] = [];
    const following = core.join({ exclude: new Set<string>(), following: true }, (e) => seen.push(e), 0, new Set(['alice']));
    core.push(added('alice'), 0);
    core.push(packet('alice', -20, 'a'), 0);
    core.push(added('carol'), 0);
    core.push(packet('carol', -50, 'c'), 900);
    core.endListener(following, 1500); // alice timed out at 1000 and carol refilled: no timer has run yet
    expect(seen).toStrictEqual([pin(0, 'alice'), pkt(0, 'alice', -20, 'a'), unpin(0, 'alice')]);
  });

  it('follow: a completed follow keeps its last set; a value that is not iterable is reported and the set stays', () => {
    const reports: InvalidReport[] = [];
    const room = new Subject<In>();
    const follow = new Subject<unknown>();
    const seen: string[] = [];
    mixRoom<string, string>(room, { outputs: 1, onInvalid: (r) => reports.push(r) })
      .listen({ follow: follow as Observable<Iterable<string>> })
      .subscribe((e) => seen.push(`${e.type} ${e.source}`));
    follow.next(['bob']);
    follow.next(42);
    follow.complete();
    room.next(packet('alice', -10));
    room.next(packet('bob', -50));
    room.complete();
    expect(reports.map((r) => [r.reason, r.event])).toStrictEqual([['invalid-follow', 42]]);
    expect(seen).toStrictEqual(['output-pin bob', 'output-pkt bob', 'output-unpin bob']);
  });

  it('an aligned listener receives the shared event objects themselves; one that diverged gets its own', () => {
    const room = new Subject<In>();
    const mix = mixRoom<string, string>(room, { outputs: 1 });
    const first: Out[] = [];
    const second: Out[] = [];
    const minus: Out[] = [];
    mix.listen({ exclude: ['nobody'] }).subscribe((e) => first.push(e));
    mix.listen().subscribe((e) => second.push(e));
    mix.listen({ exclude: ['alice'] }).subscribe((e) => minus.push(e));
    room.next(packet('bob', -60, 'b'));
    room.next(packet('alice', -10, 'a')); // takes bob's output: the third listener forks before the takeover
    room.next(packet('alice', -10, 'a2'));
    room.complete();
    expect(first.length).toBe(7);
    first.forEach((event, i) => {
      expect(second[i]).toBe(event);
    });
    expect(minus).toStrictEqual([pin(0, 'bob'), pkt(0, 'bob', -60, 'b'), unpin(0, 'bob')]);
    expect(minus[0]).toBe(first[0]); // while aligned, the same objects
  });

  it('a diverged listener whose view becomes the shared view again is aligned again: the shared objects once more', () => {
    const core = new RoomMixerCore<string, string>({ outputs: 1, threshold: 30, timeout: 1000 });
    const all: Out[] = [];
    const minus: Out[] = [];
    core.join({ exclude: new Set(['nobody']), following: false }, (e) => all.push(e), 0);
    core.join({ exclude: new Set(['alice']), following: false }, (e) => minus.push(e), 0);
    core.push(added('alice'), 0); // the shared view pins alice: the second listener diverges, its output stays free
    expect(core.divergedCount).toBe(1);
    core.push(added('bob'), 1); // a candidate in the shared view; the diverged view pins it
    core.push(packet('bob', -50, 'b1'), 2);
    core.push(removed('alice'), 3); // the shared view refills with bob: the same pin on the same output
    expect(core.divergedCount).toBe(1); // bob's stamps differ until his next packet
    core.push(packet('bob', -50, 'b2'), 4);
    expect(core.divergedCount).toBe(0);
    core.push(packet('bob', -40, 'b3'), 5);
    expect(minus).toStrictEqual([pin(0, 'bob'), pkt(0, 'bob', -50, 'b1'), pkt(0, 'bob', -50, 'b2'), pkt(0, 'bob', -40, 'b3')]);
    expect(minus[3]).toBe(all.at(-1)); // aligned again: the shared view's own event object
    expect(minus[2]).not.toBe(all.at(-2));
  });

  it('a listener that follows nothing keeps only where its view differs: entries for its outputs, not for the room', () => {
    const outputs = 3;
    const core = new RoomMixerCore<string, string>({ outputs, threshold: 30, timeout: 1000 });
    const ids = Array.from({ length: 500 }, (_, i) => `s${i}`);
    const listener = core.join({ exclude: new Set(['s0']), following: false }, () => undefined, 0);
    for (const id of ids) core.push(added(id), 0); // s0 is pinned first: the listener diverges at once
    ids.forEach((id, i) => {
      core.push(packet(id, -100 + (i % 50), 'x'), 1);
    });
    expect(core.divergedCount).toBe(1);
    // Its outputs, and the shared view's (which its own differ from): never one entry per source of the room.
    expect(listener.delta?.entries).toBeLessThanOrEqual(2 * outputs);
  });

  it('a packet that reaches no diverged view takes none over; one that reaches a view takes it over there only', () => {
    const core = new RoomMixerCore<string, string>({ outputs: 1, threshold: 30, timeout: 1000 });
    const all: Out[] = [];
    const minus: Out[] = [];
    core.join({ exclude: new Set(['nobody']), following: false }, (e) => all.push(e), 0);
    core.join({ exclude: new Set(['alice']), following: false }, (e) => minus.push(e), 0);
    core.push(added('alice'), 0);
    core.push(added('bob'), 0);
    core.push(added('carol'), 0);
    core.push(packet('alice', -10, 'a'), 1);
    core.push(packet('bob', -90, 'b'), 2); // pinned in the diverged view only (its refill when alice was pinned)
    core.push(packet('carol', -61, 'c1'), 3); // below bob's -90 + 30: nothing changes anywhere
    core.push(packet('carol', -60, 'c2'), 4); // reaches the diverged view's takeover level, not the shared view's
    expect(all).toStrictEqual([pin(0, 'alice'), pkt(0, 'alice', -10, 'a')]);
    expect(minus).toStrictEqual([pin(0, 'bob'), pkt(0, 'bob', -90, 'b'), unpin(0, 'bob'), pin(0, 'carol'), pkt(0, 'carol', -60, 'c2')]);
  });

  it('the room reports bad input once, not once per listener', () => {
    const reports: InvalidReport[] = [];
    const room = new Subject<In>();
    const mix = mixRoom<string, string>(room, { outputs: 1, onInvalid: (r) => reports.push(r) });
    for (let i = 0; i < 5; i++) mix.listen({ exclude: [`l${i}`] }).subscribe();
    room.next(packet('alice', Number.NaN));
    room.next(removed('nobody'));
    room.next({ type: 'nonsense' } as unknown as In);
    expect(reports.map((r) => r.reason)).toStrictEqual(['invalid-level', 'unknown-source', 'invalid-event']);
  });

  it('a listener whose subscriber throws ends neither the room nor another listener', async () => {
    const room = new Subject<In>();
    const mix = mixRoom<string, string>(room, { outputs: 1 });
    const seen: string[] = [];
    const unhandled: unknown[] = [];
    const { config } = await import('rxjs');
    const previous = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      mix.listen().subscribe(() => {
        throw new Error('listener broke');
      });
      mix.listen().subscribe((e) => seen.push(e.type));
      room.next(packet('alice', -10));
      room.next(packet('alice', -10));
      room.complete();
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      config.onUnhandledError = previous;
    }
    expect(seen).toStrictEqual(['output-pin', 'output-pkt', 'output-pkt', 'output-unpin']);
    expect(unhandled.length).toBeGreaterThan(0);
  });

  it('an event pushed by a listener from its callback is queued, as for audioMixer', () => {
    const room = new Subject<In>();
    const mix = mixRoom<string, string>(room, { outputs: 1 });
    const seen: string[] = [];
    mix.listen().subscribe((e) => {
      seen.push(`${e.type} ${e.source}`);
      if (e.type === 'output-unpin' && e.source === 'alice') room.next(added('carol'));
    });
    room.next(added('alice'));
    room.next(packet('bob', -10));
    room.next(packet('bob', -10));
    expect(seen).toStrictEqual(['output-pin alice', 'output-unpin alice', 'output-pin bob', 'output-pkt bob', 'output-pkt bob']);
  });

  it('a room with no listener does no work and holds no subscription', () => {
    let subscribed = 0;
    const source = defer(() => {
      subscribed++;
      return NEVER;
    });
    const mix = mixRoom<string, string>(source, { outputs: 1 });
    expect(subscribed).toBe(0);
    const a = mix.listen().subscribe();
    const b = mix.listen().subscribe();
    expect(subscribed).toBe(1);
    a.unsubscribe();
    b.unsubscribe();
    mix.listen().subscribe().unsubscribe();
    expect(subscribed).toBe(2);
  });

  it('ends every listener with the room: unpins in ascending order, then complete or the error', () => {
    for (const [ending, expectError] of [[EMPTY, false], [throwError(() => new Error('room failed')), true]] as const) {
      const source = new Subject<In>();
      const seen: string[] = [];
      const mix = mixRoom<string, string>(source, { outputs: 2 });
      for (const exclude of [[], ['alice']]) {
        mix.listen({ exclude }).subscribe({
          next: (e) => seen.push(`${exclude.length} ${e.type} ${e.output}`),
          complete: () => seen.push(`${exclude.length} complete`),
          error: () => seen.push(`${exclude.length} error`),
        });
      }
      source.next(added('alice'));
      source.next(added('bob'));
      ending.subscribe(source);
      const end = expectError ? 'error' : 'complete';
      expect(seen).toStrictEqual([
        '0 output-pin 0',
        '0 output-pin 1',
        '1 output-pin 0',
        '0 output-unpin 0',
        '0 output-unpin 1',
        '1 output-unpin 0',
        `0 ${end}`,
        `1 ${end}`,
      ]);
    }
  });

  it('checks its options at once, naming the option', () => {
    const room: Observable<SourceEvent> = EMPTY;
    expect(() => mixRoom(room, { outputs: 0 })).toThrow(/'outputs'/);
    expect(() => mixRoom(room, { outputs: 1, timeout: -1 })).toThrow(/'timeout'/);
    expect(() => mixRoom('nope' as never, { outputs: 1 })).toThrow(/'sources'/);
    const mix = mixRoom(room, { outputs: 1 });
    expect(() => mix.listen({ exclude: 3 as never })).toThrow(TypeError);
    expect(() => mix.listen({ exclude: 3 as never })).toThrow(/'exclude'/);
    expect(() => mix.listen({ exclude: null as never })).toThrow(/'exclude'/);
    expect(() => mix.listen({ follow: ['a'] as never })).toThrow(/'follow'/);
    expect(() => mix.listen({ follow: null as never })).toThrow(/'follow'/);
    expect(() => mix.listen({ excluded: [] } as never)).toThrow(/unknown listener option 'excluded'/);
    expect(() => mix.listen(null as never)).toThrow(/'options'/);
    expect(() => mix.listen({ exclude: new Set(['a']), follow: NEVER })).not.toThrow();
  });

  it('copies exclude when listen is called', () => {
    const exclude = ['alice'];
    const room = new Subject<In>();
    const seen: string[] = [];
    const listener = mixRoom<string, string>(room, { outputs: 1 }).listen({ exclude });
    exclude.length = 0;
    listener.subscribe((e) => seen.push(`${e.type} ${e.source}`));
    room.next(added('alice'));
    expect(seen).toStrictEqual([]);
  });

  it('listen() of a listener who hears everyone is audioMixer', () => {
    const events: In[] = [added('a'), packet('b', -40), packet('c', -5), removed('a'), packet('b', -2), packet('d', -90)];
    const viaRoom: OutputEvent<string, string>[] = [];
    const viaMixer: OutputEvent<string, string>[] = [];
    mixRoom<string, string>(of(...events), { outputs: 2 }).listen().subscribe((e) => viaRoom.push(e));
    of(...events).pipe(audioMixer<string, string>({ outputs: 2 })).subscribe((e) => viaMixer.push(e));
    expect(viaRoom).toStrictEqual(viaMixer);
  });
});
