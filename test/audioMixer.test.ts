import { describe, expect, it } from 'vitest';
import { EMPTY, Observable, Subject, VirtualTimeScheduler, map, merge, mergeMap, of, range, take } from 'rxjs';
import { audioMixer, type InvalidReport, type SourceEvent } from 'rx-audio-mixer';
import { added, countingScheduler, marbles, packet, pin, pkt, removed, unpin, type In, type Out } from './helpers.js';

const values = {
  a: added('a'),
  b: added('b'),
  c: added('c'),
  d: added('d'),
  A: packet('a', -20),
  B: packet('b', -10),
  C: packet('c', -10),
  D: packet('d', -40),
  x: removed('a'),
  y: removed('b'),
};

describe('audioMixer', () => {
  describe('rule 1: added', () => {
    it('pins a new source to the lowest-numbered free output, and keeps the rest waiting', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-b-c-|', values);
      const expected = '     P-Q---(UV|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        U: unpin(0, 'a'),
        V: unpin(1, 'b'),
      });
    }));

    it('reuses the lowest free output after a removal', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-b-x-c-|', values);
      const expected = '     P-Q-U-R-(VW|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 3, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        U: unpin(0, 'a'),
        R: pin(0, 'c'),
        V: unpin(0, 'c'),
        W: unpin(1, 'b'),
      });
    }));
  });

  describe('rule 2: packets', () => {
    it('adds the source of an unknown packet first, then forwards its packet', marbles((m) => {
      // prettier-ignore
      const source = m.hot('A---|', values);
      const expected = '     (PK)(U|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -20),
        U: unpin(0, 'a'),
      });
    }));

    it('normalises levels: missing and NaN become -127, out of range is clamped; NaN and out of range are reported', marbles((m) => {
      const reports: InvalidReport[] = [];
      const inputs = {
        n: packet('a'),
        q: packet('a', Number.NaN),
        h: packet('a', 12),
        l: packet('a', -300),
        i: packet('a', Number.POSITIVE_INFINITY),
        s: { type: 'source-pkt', source: 'a', level: '-20', data: 'a-data' } as unknown as In,
      };
      // prettier-ignore
      const source = m.hot('n---q-h-l-i-s-|', inputs);
      const expected = '     (PK)q-h-l-i-s-(U|)';
      m.expect(
        source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler, onInvalid: (r) => reports.push(r) })),
      ).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -127),
        q: pkt(0, 'a', -127),
        h: pkt(0, 'a', 0),
        l: pkt(0, 'a', -127),
        i: pkt(0, 'a', -127),
        s: pkt(0, 'a', -127),
        U: unpin(0, 'a'),
      });
      m.flush();
      expect(reports.map((r) => r.reason)).toStrictEqual([
        'invalid-level',
        'level-out-of-range',
        'level-out-of-range',
        'invalid-level',
        'invalid-level',
      ]);
      expect(reports[0]?.event).toBe(inputs.q);
      expect(reports[0]?.message).toMatch(/NaN/);
    }));

    it('lets a candidate take over the quietest output when it beats it by the threshold', marbles((m) => {
      const inputs = { ...values, Q: packet('a', -45), R: packet('c', -15), S: packet('c', -16) };
      // a at -45; b at -10; c reaches -15 = -45 + 30: takes a's output; at -16 it would not have.
      // prettier-ignore
      const source = m.hot('a-b-Q-B-c-S-R-----|', inputs);
      const expected = '     P-Q-K-L-----(UXY)-(VW|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, threshold: 30, scheduler: m.scheduler }))).toBeObservable(
        expected,
        {
          P: pin(0, 'a'),
          Q: pin(1, 'b'),
          K: pkt(0, 'a', -45),
          L: pkt(1, 'b', -10),
          U: unpin(0, 'a'),
          X: pin(0, 'c'),
          Y: pkt(0, 'c', -15),
          V: unpin(0, 'c'),
          W: unpin(1, 'b'),
        },
      );
    }));

    it('follows the level of pinned outputs on every packet', marbles((m) => {
      // a gets loud (-5), then b quiet (-50); c at -19 beats b (-50 + 30) but not a: it takes output 1.
      const inputs = { ...values, A: packet('a', -5), B: packet('b', -50), C: packet('c', -19) };
      // prettier-ignore
      const source = m.hot('a-b-A-B-c-C-----|', inputs);
      const expected = '     P-Q-K-L---(UXY)-(VW|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        K: pkt(0, 'a', -5),
        L: pkt(1, 'b', -50),
        U: unpin(1, 'b'),
        X: pin(1, 'c'),
        Y: pkt(1, 'c', -19),
        V: unpin(0, 'a'),
        W: unpin(1, 'c'),
      });
    }));

    it('drops the packets of candidates that do not beat the threshold', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-A-b-D-|', values);
      const expected = '     P-K-----(U|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -20),
        U: unpin(0, 'a'),
      });
    }));
  });

  describe('rule 3: removed', () => {
    it('unpins a removed source and reports removals of unknown sources and duplicate adds', marbles((m) => {
      const reports: InvalidReport[] = [];
      // prettier-ignore
      const source = m.hot('a-a-y-x-|', values);
      const expected = '     P-----U-|';
      m.expect(
        source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler, onInvalid: (r) => reports.push(r) })),
      ).toBeObservable(expected, { P: pin(0, 'a'), U: unpin(0, 'a') });
      m.flush();
      expect(reports.map((r) => [r.reason, r.event])).toStrictEqual([
        ['duplicate-source', values.a],
        ['unknown-source', values.y],
      ]);
    }));

    it('forgets a removed candidate', marbles((m) => {
      // b waits, is removed, and its later packet adds it again as a new candidate at its new level.
      // prettier-ignore
      const source = m.hot('a-b-y-x-|', values);
      const expected = '     P-----U-|';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        U: unpin(0, 'a'),
      });
    }));

    it('reports and drops events that are not source events', marbles((m) => {
      const reports: InvalidReport[] = [];
      const inputs = { n: null as unknown as In, t: { type: 'nonsense' } as unknown as In, a: added('a') };
      // prettier-ignore
      const source = m.hot('n-t-a-|', inputs);
      const expected = '     ----P-(U|)';
      m.expect(
        source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler, onInvalid: (r) => reports.push(r) })),
      ).toBeObservable(expected, { P: pin(0, 'a'), U: unpin(0, 'a') });
      m.flush();
      expect(reports.map((r) => r.reason)).toStrictEqual(['invalid-event', 'invalid-event']);
    }));
  });

  describe('rule 4: refill', () => {
    it('gives a freed output at once to the loudest candidate, which keeps its last level', marbles((m) => {
      // c and d wait at -10 and -40; a leaves: c (the loudest) takes output 0.
      const inputs = { ...values, C: packet('c', -10), D: packet('d', -40), A: packet('a', -5), B: packet('b', -5) };
      // prettier-ignore
      const source = m.hot('a-b-A-B-c-d-D-C-x---|', inputs);
      const expected = '     P-Q-K-L---------(UR)(VW|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        K: pkt(0, 'a', -5),
        L: pkt(1, 'b', -5),
        U: unpin(0, 'a'),
        R: pin(0, 'c'),
        V: unpin(0, 'c'),
        W: unpin(1, 'b'),
      });
    }));

    it('refills with the loudest candidate within a 1 dB bucket of fractional levels, not the latest', marbles((m) => {
      // b (-30.25) and then c (-30.75) wait in the same 1 dB bucket; a leaves: b, the louder, takes output 0.
      const inputs = { A: packet('a', -10), B: packet('b', -30.25), C: packet('c', -30.75), r: removed('a') };
      // prettier-ignore
      const source = m.hot('A-B-C-r-----|', inputs);
      const expected = '     (PK)--(UQ)--(W|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -10),
        U: unpin(0, 'a'),
        Q: pin(0, 'b'),
        W: unpin(0, 'b'),
      });
    }));

    it('refills with a displaced source at the level it had', marbles((m) => {
      // a (-45) is displaced by c (-10); when c leaves, a is the loudest candidate again.
      const inputs = { ...values, A: packet('a', -45), C: packet('c', -10), z: removed('c') };
      // prettier-ignore
      const source = m.hot('a-A-b-c-C-----z-----|', inputs);
      const expected = '     P-K-----(UXY)-(VW)--(Z|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -45),
        U: unpin(0, 'a'),
        X: pin(0, 'c'),
        Y: pkt(0, 'c', -10),
        V: unpin(0, 'c'),
        W: pin(0, 'a'),
        Z: unpin(0, 'a'),
      });
    }));
  });

  describe('rule 5: timeout', () => {
    it('removes a silent source at exactly last event time + timeout', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a--A------------|', values);
      const expected = '     P--K----U-------|';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, timeout: 5, scheduler: m.scheduler }))).toBeObservable(
        expected,
        { P: pin(0, 'a'), K: pkt(0, 'a', -20), U: unpin(0, 'a') },
      );
    }));

    it('refills an output freed by a timeout with the loudest candidate (the TSDoc diagram)', marbles((m) => {
      const inputs = { ...values, B: packet('b', -10), A: packet('a', -50) };
      // prettier-ignore
      const source = m.hot('a-b-B-------A------------|', inputs);
      const expected = '     P---(UQK)-----(VR)----W--|';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, timeout: 10, scheduler: m.scheduler }))).toBeObservable(
        expected,
        {
          P: pin(0, 'a'),
          U: unpin(0, 'a'),
          Q: pin(0, 'b'),
          K: pkt(0, 'b', -10),
          V: unpin(0, 'b'),
          R: pin(0, 'a'),
          W: unpin(0, 'a'),
        },
      );
    }));

    it('removes several sources due at once oldest activity first', marbles((m) => {
      // prettier-ignore
      const source = m.hot('(ba)------------|', values);
      const expected = '     (PQ)-(UV)-------|';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, timeout: 5, scheduler: m.scheduler }))).toBeObservable(
        expected,
        { P: pin(0, 'b'), Q: pin(1, 'a'), U: unpin(0, 'b'), V: unpin(1, 'a') },
      );
    }));

    it('removes a due source before an event of the same instant', marbles((m) => {
      // a's deadline is frame 5; its packet at frame 5 comes too late and adds it afresh.
      // prettier-ignore
      const source = m.hot('a----A------|', values);
      const expected = '     P----(UQK)V-|';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, timeout: 5, scheduler: m.scheduler }))).toBeObservable(
        expected,
        { P: pin(0, 'a'), U: unpin(0, 'a'), Q: pin(0, 'a'), K: pkt(0, 'a', -20), V: unpin(0, 'a') },
      );
    }));

    it('schedules no timer while no source is known, and none is left after the end', marbles((m) => {
      const timers = countingScheduler(m.scheduler);
      const seen: number[] = [];
      // prettier-ignore
      const source = m.hot('--a-x--a---|', values);
      source.pipe(audioMixer<string, string>({ outputs: 1, timeout: 30, scheduler: timers })).subscribe();
      for (let frame = 0; frame <= 12; frame++) m.scheduler.schedule(() => seen.push(timers.pending), frame);
      m.flush();
      // A timer only while a is known: from its add (2) to its removal (4), and from its return (7) to the end (11).
      // Each probe runs before the source's event of the same frame.
      expect(seen).toStrictEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0]);
    }));

    it('cancels its timer on complete, error and unsubscribe', () => {
      for (const end of ['complete', 'error', 'unsubscribe'] as const) {
        const scheduler = new VirtualTimeScheduler();
        const room = new Subject<SourceEvent>();
        const subscription = room
          .pipe(audioMixer({ outputs: 1, timeout: 1000, scheduler }))
          .subscribe({ error: () => undefined });
        room.next({ type: 'source-added', source: 'a' });
        expect(scheduler.actions.length).toBe(1);
        if (end === 'complete') room.complete();
        else if (end === 'error') room.error(new Error('boom'));
        else subscription.unsubscribe();
        expect(scheduler.actions.filter((action) => !action.closed).length).toBe(0);
      }
    });
  });

  describe('rule 6: order', () => {
    it('emits unpins, then pins, then the packet', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-b-B-----|', values);
      const expected = '     P---(UQK)-(V|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        U: unpin(0, 'a'),
        Q: pin(0, 'b'),
        K: pkt(0, 'b', -10),
        V: unpin(0, 'b'),
      });
    }));
  });

  describe('rule 7: end', () => {
    it('unpins every pinned output in ascending order, then completes', marbles((m) => {
      // prettier-ignore
      const source = m.hot('c-b-a-x-d-|', values);
      const expected = '     P-Q-R-U-S-(VWX|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 3, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'c'),
        Q: pin(1, 'b'),
        R: pin(2, 'a'),
        U: unpin(2, 'a'),
        S: pin(2, 'd'),
        V: unpin(0, 'c'),
        W: unpin(1, 'b'),
        X: unpin(2, 'd'),
      });
    }));

    it('unpins every pinned output in ascending order, then errors', marbles((m) => {
      // prettier-ignore
      const source = m.hot('b-a-#', values, new Error('network down'));
      const expected = '     P-Q-(UV#)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }))).toBeObservable(
        expected,
        { P: pin(0, 'b'), Q: pin(1, 'a'), U: unpin(0, 'b'), V: unpin(1, 'a') },
        new Error('network down'),
      );
    }));

    it('fails the stream, after its unpins, when onInvalid throws', marbles((m) => {
      const inputs = { a: added('a'), q: packet('a', Number.NaN) };
      // prettier-ignore
      const source = m.hot('a-q-a-|', inputs);
      const subs = '       ^-!';
      const expected = '     P-(U#)';
      const onInvalid = (): never => {
        throw new Error('handler failed');
      };
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler, onInvalid }))).toBeObservable(
        expected,
        { P: pin(0, 'a'), U: unpin(0, 'a') },
        new Error('handler failed'),
      );
      m.expect(source).toHaveSubscriptions(subs);
    }));
  });

  describe('rule 8: ties', () => {
    it('takes over, among equally quiet outputs, the one touched longest ago', marbles((m) => {
      // a and b are both at -50; b's level was set after a's, so a is displaced.
      const inputs = { ...values, A: packet('a', -50), B: packet('b', -50), C: packet('c', -20) };
      // prettier-ignore
      const source = m.hot('a-b-A-B-c-C-----|', inputs);
      const expected = '     P-Q-K-L---(UXY)-(VW|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        K: pkt(0, 'a', -50),
        L: pkt(1, 'b', -50),
        U: unpin(0, 'a'),
        X: pin(0, 'c'),
        Y: pkt(0, 'c', -20),
        V: unpin(0, 'c'),
        W: unpin(1, 'b'),
      });
    }));

    it('refills, among equally loud candidates, with the one touched most recently', marbles((m) => {
      // c and d both wait at -60; d spoke last, so d refills a's output.
      const inputs = { ...values, A: packet('a', -5), C: packet('c', -60), D: packet('d', -60) };
      // prettier-ignore
      const source = m.hot('a-A-c-d-C-D-x---|', inputs);
      const expected = '     P-K---------(UR)(V|)';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable(expected, {
        P: pin(0, 'a'),
        K: pkt(0, 'a', -5),
        U: unpin(0, 'a'),
        R: pin(0, 'd'),
        V: unpin(0, 'd'),
      });
    }));
  });

  describe('subscriptions', () => {
    it('should allow unsubscribing early and explicitly', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-b-A-B-|', values);
      const subs = '       ^----!   ';
      const unsub = '      -----!   ';
      const expected = '   P-Q-K-   ';
      m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler })), unsub).toBeObservable(
        expected,
        { P: pin(0, 'a'), Q: pin(1, 'b'), K: pkt(0, 'a', -20) },
      );
      m.expect(source).toHaveSubscriptions(subs);
    }));

    it('should not break unsubscription chains', marbles((m) => {
      // prettier-ignore
      const source = m.hot('a-b-A-B-|', values);
      const subs = '       ^----!   ';
      const unsub = '      -----!   ';
      const expected = '   P-Q-K-   ';
      const result = source.pipe(
        mergeMap((event) => of(event)),
        audioMixer<string, string>({ outputs: 2, scheduler: m.scheduler }),
        mergeMap((event) => of(event)),
      );
      m.expect(result, unsub).toBeObservable(expected, { P: pin(0, 'a'), Q: pin(1, 'b'), K: pkt(0, 'a', -20) });
      m.expect(source).toHaveSubscriptions(subs);
    }));

    it('gives every subscription fresh state', marbles((m) => {
      // prettier-ignore
      const source = m.cold('a-b-|', values);
      const mixed = source.pipe(audioMixer<string, string>({ outputs: 1, scheduler: m.scheduler }));
      // Shared state would make the second 'a' a duplicate, and it would get no output.
      m.expect(merge(mixed, mixed)).toBeObservable('(PP)(UU|)', { P: pin(0, 'a'), U: unpin(0, 'a') });
    }));

    it('stops a synchronous source as soon as downstream has enough', () => {
      let produced = 0;
      const events = range(0, 1e6).pipe(
        map((i): SourceEvent<number> => {
          produced++;
          return { type: 'source-added', source: i };
        }),
      );
      const seen: Out[] = [];
      events
        .pipe(audioMixer<number>({ outputs: 3 }), take(1))
        .subscribe((event) => seen.push(event as unknown as Out));
      expect(seen).toStrictEqual([{ type: 'output-pin', output: 0, source: 0 }]);
      expect(produced).toBe(1);
    });

    it('passes completion of an empty source straight through', marbles((m) => {
      m.expect(EMPTY.pipe(audioMixer({ outputs: 1, scheduler: m.scheduler }))).toBeObservable('|');
      m.expect(new Observable<In>().pipe(audioMixer<string, string>({ outputs: 1 }))).toBeObservable('-');
    }));
  });
});
