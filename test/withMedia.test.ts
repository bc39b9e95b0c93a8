import { describe, expect, it } from 'vitest';
import { merge, NEVER, Observable, of, ReplaySubject, share, shareReplay, startWith, Subject, take } from 'rxjs';
import { audioMixer, mixRoom, withMedia, type InvalidReport, type OutputEvent } from 'rx-audio-mixer';
import { marbles, pin, unpin } from './helpers.js';

type Level = OutputEvent<string, unknown>;
const lvl = (output: number, source: string, level: number): Level => ({ type: 'output-pkt', output, source, level, data: undefined });
const media = (output: number, source: string, level: number, data: string): OutputEvent<string, string> => ({
  type: 'output-pkt',
  output,
  source,
  level,
  data,
});

describe('withMedia', () => {
  it('subscribes to a source’s media while it is pinned, and forwards it with the latest level', marbles((m) => {
    // prettier-ignore
    const mixer = m.hot('P-k-----U---|', { P: pin(0, 'alice'), k: lvl(0, 'alice', -20), U: unpin(0, 'alice') });
    const alice = m.cold('  -x--y----z', { x: 'x', y: 'y', z: 'z' });
    const aliceSubs = '     ^-------!   ';
    const expected = '      PX--Y---U---|';
    m.expect(mixer.pipe(withMedia((source: string) => (source === 'alice' ? alice : NEVER)))).toBeObservable(expected, {
      P: pin(0, 'alice'),
      X: media(0, 'alice', -127, 'x'),
      Y: media(0, 'alice', -20, 'y'),
      U: unpin(0, 'alice'),
    });
    m.expect(alice).toHaveSubscriptions(aliceSubs);
  }));

  for (const [end, subscription, aSubs, bSubs, expected] of [
    ['complete', '^-------', '^-----!', '--^---!', 'PxQy--|'],
    ['error', '^-------', '^-----!', '--^---!', 'PxQy--#'],
    ['unsubscribe', '^----!', '^----!', '--^--!', 'PxQy-'],
  ]) {
    it(`ends every media subscription on ${end}`, marbles((m) => {
      const mixer = m.hot(end === 'error' ? 'P-Q---#' : 'P-Q---|', { P: pin(0, 'a'), Q: pin(1, 'b') });
      const a = m.cold('-x------');
      const b = m.cold('-y------');
      m.expect(mixer.pipe(withMedia((s: string) => (s === 'a' ? a : b))), subscription).toBeObservable(expected!, {
        P: pin(0, 'a'),
        Q: pin(1, 'b'),
        x: media(0, 'a', -127, 'x'),
        y: media(1, 'b', -127, 'y'),
      });
      m.expect(a).toHaveSubscriptions(aSubs!);
      m.expect(b).toHaveSubscriptions(bSubs!);
    }));
  }

  it('reports media that ends or fails while pinned, keeps the pin, and a mediaOf that throws', () => {
    const reports: InvalidReport[] = [];
    const mixer = new Subject<Level>();
    const seen: unknown[] = [];
    const ends = new Subject<string>();
    const fails = new Subject<string>();
    mixer
      .pipe(
        withMedia(
          (s: string) => {
            if (s === 'c') throw new Error('no media for c');
            return s === 'a' ? ends : fails;
          },
          { onInvalid: (r) => reports.push(r) },
        ),
      )
      .subscribe({ next: (e) => seen.push(e), complete: () => seen.push('complete') });
    mixer.next(pin(0, 'a'));
    mixer.next(pin(1, 'b'));
    mixer.next(pin(2, 'c'));
    ends.next('a1');
    ends.complete();
    fails.error(new Error('network'));
    mixer.next(lvl(0, 'a', -10));
    mixer.next(unpin(0, 'a'));
    mixer.complete();
    expect(reports.map((r) => [r.reason, r.event])).toStrictEqual([
      ['media-failed', pin(2, 'c')],
      ['media-ended', pin(0, 'a')],
      ['media-failed', pin(1, 'b')],
    ]);
    expect(seen).toStrictEqual([pin(0, 'a'), pin(1, 'b'), pin(2, 'c'), media(0, 'a', -127, 'a1'), unpin(0, 'a'), 'complete']);
  });

  it('never forwards media of an unpinned source, and reports what is not an output event of a pinned output', () => {
    const reports: string[] = [];
    const mixer = new Subject<Level>();
    const alice = new Subject<string>();
    const seen: unknown[] = [];
    mixer.pipe(withMedia(() => alice, { onInvalid: (r) => reports.push(r.reason) })).subscribe((e) => seen.push(e));
    mixer.next(pin(0, 'alice'));
    mixer.next(unpin(0, 'alice'));
    alice.next('late');
    mixer.next(lvl(3, 'bob', -1));
    mixer.next({ type: 'output-pin', output: -1, source: 'x' });
    mixer.next(null as unknown as Level);
    expect(seen).toStrictEqual([pin(0, 'alice'), unpin(0, 'alice')]);
    expect(alice.observed).toBe(false);
    expect(reports).toStrictEqual(['invalid-event', 'invalid-event', 'invalid-event']);
  });

  it('after audioMixer on level-only packets: media flows exactly while pinned', () => {
    const room = new Subject<{ type: 'source-pkt'; source: string; level: number; data: undefined }>();
    const feeds = new Map<string, Subject<string>>();
    const mediaOf = (s: string) => {
      const feed = new Subject<string>();
      feeds.set(s, feed);
      return feed;
    };
    const seen: string[] = [];
    room.pipe(audioMixer<string, undefined>({ outputs: 1 }), withMedia(mediaOf)).subscribe((e) => {
      seen.push(e.type === 'output-pkt' ? `${e.source} ${e.data} ${e.level}` : `${e.type} ${e.source}`);
    });
    room.next({ type: 'source-pkt', source: 'alice', level: -40, data: undefined });
    feeds.get('alice')?.next('a1');
    room.next({ type: 'source-pkt', source: 'bob', level: -5, data: undefined });
    feeds.get('alice')?.next('a2');
    feeds.get('bob')?.next('b1');
    expect(seen).toStrictEqual(['output-pin alice', 'alice a1 -40', 'output-unpin alice', 'output-pin bob', 'bob b1 -5']);
    expect(feeds.get('alice')?.observed).toBe(false);
  });

  it('README: a per-source media cache shared by listeners subscribes each source once, while one listener pins it', () => {
    const upstream = new Map<string, number>();
    const feeds = new Map<string, Subject<string>>();
    const consume = (source: string): Observable<string> =>
      new Observable<string>((subscriber) => {
        upstream.set(source, (upstream.get(source) ?? 0) + 1);
        const feed = feeds.get(source) ?? new Subject<string>();
        feeds.set(source, feed);
        return feed.subscribe(subscriber);
      });
    const cache = new Map<string, Observable<string>>();
    const mediaOf = (source: string) => {
      let shared = cache.get(source);
      if (shared === undefined) {
        shared = consume(source).pipe(share());
        cache.set(source, shared);
      }
      return shared;
    };
    const room = new Subject<{ type: 'source-pkt'; source: string; level: number; data: undefined }>();
    const mix = mixRoom<string, undefined>(room, { outputs: 1 });
    const heard: string[][] = [[], []];
    const subs = [0, 1].map((k) =>
      mix
        .listen({ exclude: [`me${k}`] })
        .pipe(withMedia(mediaOf))
        .subscribe((e) => {
          if (e.type === 'output-pkt') heard[k]!.push(`${e.source} ${e.data}`);
        }),
    );
    room.next({ type: 'source-pkt', source: 'alice', level: -20, data: undefined });
    expect(upstream.get('alice')).toBe(1); // two listeners pin alice: one subscription
    feeds.get('alice')?.next('a1');
    expect(heard).toStrictEqual([['alice a1'], ['alice a1']]);
    subs[0]!.unsubscribe();
    expect(feeds.get('alice')?.observed).toBe(true);
    subs[1]!.unsubscribe();
    expect(feeds.get('alice')?.observed).toBe(false); // no listener pins it: unsubscribed
  });
});

describe('withMedia: a value the media emits as it is subscribed', () => {
  /** The media, with a probe subscribed beside it whose subscriptions say when the media was subscribed. */
  const watched = <T>(media: Observable<T>, probe: Observable<never>) => merge(media, probe);

  it('is emitted right after the pin: a ReplaySubject', marbles((m) => {
    // prettier-ignore
    const mixer = m.hot('---P-k---U---|', { P: pin(0, 'alice'), k: lvl(0, 'alice', -20), U: unpin(0, 'alice') });
    const feed = m.hot('  -a------b---c-');
    const probe = m.cold<never>('-');
    const last = new ReplaySubject<string>(1);
    feed.subscribe(last);
    const expected = '    ---(PA)-BU---|';
    m.expect(mixer.pipe(withMedia(() => watched(last, probe)))).toBeObservable(expected, {
      P: pin(0, 'alice'),
      A: media(0, 'alice', -127, 'a'),
      B: media(0, 'alice', -20, 'b'),
      U: unpin(0, 'alice'),
    });
    m.expect(mixer).toHaveSubscriptions('^------------!');
    m.expect(probe).toHaveSubscriptions('---^-----!');
  }));

  it('is emitted right after the pin: shareReplay(1) shared by two listeners', marbles((m) => {
    const mixer1 = m.hot('P----------|', { P: pin(0, 'alice') });
    const mixer2 = m.hot('---Q-------|', { Q: pin(0, 'alice') });
    const feed = m.cold(' a------b---');
    const shared = feed.pipe(shareReplay(1));
    const values = { P: pin(0, 'alice'), Q: pin(0, 'alice'), A: media(0, 'alice', -127, 'a'), B: media(0, 'alice', -127, 'b') };
    m.expect(mixer1.pipe(withMedia(() => shared))).toBeObservable('(PA)---B---|', values);
    m.expect(mixer2.pipe(withMedia(() => shared))).toBeObservable('---(QA)B---|', values);
    m.expect(mixer1).toHaveSubscriptions('^----------!');
    m.expect(mixer2).toHaveSubscriptions('^----------!');
    m.expect(feed).toHaveSubscriptions('^-----------');
  }));

  it('is emitted right after the pin: startWith', marbles((m) => {
    const mixer = m.hot('-P-----U-|', { P: pin(0, 'alice'), U: unpin(0, 'alice') });
    const feed = m.cold(' ----x--');
    const expected = '   -(PH)X-U-|';
    m.expect(mixer.pipe(withMedia(() => feed.pipe(startWith('hello'))))).toBeObservable(expected, {
      P: pin(0, 'alice'),
      H: media(0, 'alice', -127, 'hello'),
      X: media(0, 'alice', -127, 'x'),
      U: unpin(0, 'alice'),
    });
    m.expect(mixer).toHaveSubscriptions('^--------!');
    m.expect(feed).toHaveSubscriptions('-^-----!');
  }));

  it('is emitted right after the pin: of(...), which then ends: reported once, the pin stays', marbles((m) => {
    const reports: InvalidReport[] = [];
    // prettier-ignore
    const mixer = m.hot('-P---k--U-|', { P: pin(0, 'alice'), k: lvl(0, 'alice', -20), U: unpin(0, 'alice') });
    const expected = '   -(PXY)--U-|';
    const withOf = withMedia(() => of('x', 'y'), { onInvalid: (r) => reports.push(r) });
    m.expect(mixer.pipe(withOf)).toBeObservable(expected, {
      P: pin(0, 'alice'),
      X: media(0, 'alice', -127, 'x'),
      Y: media(0, 'alice', -127, 'y'),
      U: unpin(0, 'alice'),
    });
    m.expect(mixer).toHaveSubscriptions('^---------!');
    m.flush();
    expect(reports.map((r) => [r.reason, r.event])).toStrictEqual([['media-ended', pin(0, 'alice')]]);
  }));

  it('is emitted right after the pin when the same source is unpinned and pinned again at once', marbles((m) => {
    // prettier-ignore
    const mixer = m.hot('-P---k-(UP)---U-|', { P: pin(0, 'alice'), k: lvl(0, 'alice', -20), U: unpin(0, 'alice') });
    const feed = m.hot('  --a---------b----');
    const probe = m.cold<never>('-');
    const last = new ReplaySubject<string>(1);
    feed.subscribe(last);
    const expected = '    -PA----(UPA)B-U-|';
    m.expect(mixer.pipe(withMedia(() => watched(last, probe)))).toBeObservable(expected, {
      P: pin(0, 'alice'),
      A: media(0, 'alice', -127, 'a'),
      B: media(0, 'alice', -127, 'b'),
      U: unpin(0, 'alice'),
    });
    m.expect(mixer).toHaveSubscriptions('^---------------!');
    m.expect(probe).toHaveSubscriptions(['-^-----!', '-------^------!']);
  }));

  it('re-entrancy: a media whose subscription unpins it: its value comes between the pin and the unpin, then it ends', () => {
    const mixer = new Subject<Level>();
    const seen: unknown[] = [];
    let live = 0;
    const mediaOf = () =>
      new Observable<string>((subscriber) => {
        live += 1;
        subscriber.next('first');
        mixer.next(unpin(0, 'alice')); // the mixer unpins while the media is being subscribed
        subscriber.next('too late');
        return () => {
          live -= 1;
        };
      });
    mixer.pipe(withMedia(mediaOf)).subscribe((e) => seen.push(e));
    mixer.next(pin(0, 'alice'));
    expect(seen).toStrictEqual([pin(0, 'alice'), media(0, 'alice', -127, 'first'), unpin(0, 'alice')]);
    expect(live).toBe(0);
  });

  it('re-entrancy: a listener that unpins on the pin: the media is never left subscribed', () => {
    const mixer = new Subject<Level>();
    const alice = new ReplaySubject<string>(1);
    alice.next('cached');
    const seen: unknown[] = [];
    mixer.pipe(withMedia(() => alice)).subscribe((e) => {
      seen.push(e);
      if (e.type === 'output-pin') mixer.next(unpin(0, 'alice'));
    });
    mixer.next(pin(0, 'alice'));
    expect(seen).toStrictEqual([pin(0, 'alice'), unpin(0, 'alice')]);
    expect(alice.observed).toBe(false);
  });

  it('a media that emits without end as it is subscribed stops once the output is taken (take)', () => {
    let sent = 0;
    const endless = new Observable<number>((subscriber) => {
      while (!subscriber.closed && sent < 100_000) subscriber.next(sent++);
    });
    const seen: unknown[] = [];
    of(pin(0, 'alice'))
      .pipe(withMedia(() => endless), take(3))
      .subscribe((e) => seen.push(e));
    expect(seen).toStrictEqual([pin(0, 'alice'), media(0, 'alice', -127, 0 as never), media(0, 'alice', -127, 1 as never)]);
    expect(sent).toBeLessThanOrEqual(3);
  });
  it('a synchronous input stops once downstream has what it wants (take)', () => {
    let pulled = 0;
    const pins = new Observable<Level>((subscriber) => {
      while (!subscriber.closed && pulled < 100_000) subscriber.next(pin(pulled++, `s${pulled}`));
    });
    const seen: unknown[] = [];
    pins.pipe(withMedia(() => NEVER), take(1)).subscribe((e) => seen.push(e));
    expect(seen).toStrictEqual([pin(0, 's1')]);
    expect(pulled).toBe(1);
  });
  it('an onInvalid that throws fails the stream with what it threw, ends every media, and throws at no media', () => {
    const mixer = new Subject<Level>();
    const ends = new Subject<string>();
    const other = new Subject<string>();
    const boom = new Error('onInvalid failed');
    const seen: unknown[] = [];
    mixer
      .pipe(
        withMedia((s: string) => (s === 'a' ? ends : other), {
          onInvalid: () => {
            throw boom;
          },
        }),
      )
      .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => seen.push(e) });
    mixer.next(pin(0, 'a'));
    mixer.next(pin(1, 'b'));
    expect(() => {
      ends.complete();
    }).not.toThrow();
    expect(seen).toStrictEqual([pin(0, 'a'), pin(1, 'b'), boom]);
    expect(other.observed).toBe(false);
    expect(mixer.observed).toBe(false);
  });
});
