import { describe, expect, it } from 'vitest';
import { AudioMixerCore, type OutputEvent } from 'rx-audio-mixer';

// The core is a plain state machine: no RxJS, no clock; the caller passes the time.
describe('AudioMixerCore', () => {
  const make = () => {
    const events: OutputEvent<string, string>[] = [];
    const core = new AudioMixerCore<string, string>({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
    return { core, events };
  };

  it('takes events and the time, and hands back output events', () => {
    const { core, events } = make();
    core.push({ type: 'source-pkt', source: 'alice', level: -30, data: 'x' }, 0);
    expect(events).toStrictEqual([
      { type: 'output-pin', output: 0, source: 'alice' },
      { type: 'output-pkt', output: 0, source: 'alice', level: -30, data: 'x' },
    ]);
  });

  it('says when the next timeout is due, and nothing when no source is known', () => {
    const { core, events } = make();
    expect(core.nextDeadline()).toBeUndefined();
    core.push({ type: 'source-added', source: 'alice' }, 100);
    core.push({ type: 'source-added', source: 'bob' }, 300);
    expect(core.nextDeadline()).toBe(1100);
    core.push({ type: 'source-pkt', source: 'alice', data: 'x' }, 500);
    expect(core.nextDeadline()).toBe(1300);
    events.length = 0;
    core.expire(1299);
    expect(events).toStrictEqual([]);
    core.expire(1300);
    expect(events).toStrictEqual([{ type: 'output-unpin', output: 1, source: 'bob' }]);
    core.expire(1500);
    expect(core.nextDeadline()).toBeUndefined();
    expect(core.size).toBe(0);
  });

  it('releases every output on end', () => {
    const { core, events } = make();
    core.push({ type: 'source-added', source: 'alice' }, 0);
    core.push({ type: 'source-added', source: 'bob' }, 0);
    events.length = 0;
    core.end(10);
    expect(events).toStrictEqual([
      { type: 'output-unpin', output: 0, source: 'alice' },
      { type: 'output-unpin', output: 1, source: 'bob' },
    ]);
    expect(core.size).toBe(0);
  });

  it('copes with a large room: expire() visits only the sources that fall due', () => {
    const n = 100_000;
    const events: OutputEvent<number, null>[] = [];
    const core = new AudioMixerCore<number, null>({ outputs: 3, threshold: 30, timeout: 1000 }, (e) => events.push(e));
    for (let i = 0; i < n; i++) core.push({ type: 'source-added', source: i }, i / 100);
    // The last source speaks: it takes the output of the quietest, least recently touched source, 0.
    core.push({ type: 'source-pkt', source: n - 1, level: -10, data: null }, 999);
    expect(events.slice(-3)).toStrictEqual([
      { type: 'output-unpin', output: 0, source: 0 },
      { type: 'output-pin', output: 0, source: n - 1 },
      { type: 'output-pkt', output: 0, source: n - 1, level: -10, data: null },
    ]);
    events.length = 0;
    // Sources 0..50 (added at 0..0.5 ms) fall due. 0 is a candidate now; 1 and 2 hold outputs 1 and 2, which go at
    // once to the most recently touched of the equally silent candidates.
    core.expire(1000.5);
    expect(events).toStrictEqual([
      { type: 'output-unpin', output: 1, source: 1 },
      { type: 'output-pin', output: 1, source: n - 2 },
      { type: 'output-unpin', output: 2, source: 2 },
      { type: 'output-pin', output: 2, source: n - 3 },
    ]);
    expect(core.size).toBe(n - 51);
    expect(core.nextDeadline()).toBe(1000 + 51 / 100);
  });
});

describe('a clock that steps back', () => {
  it('never times a source out early, and keeps the oldest-first order', () => {
    const events: OutputEvent<string, string>[] = [];
    const core = new AudioMixerCore<string, string>({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
    core.push({ type: 'source-added', source: 'a' }, 5000);
    // The wall clock is corrected 3 s back: b's activity counts from 5000, not 2000.
    core.push({ type: 'source-added', source: 'b' }, 2000);
    events.length = 0;
    core.expire(3500);
    expect(events).toStrictEqual([]);
    core.expire(6000);
    expect(events).toStrictEqual([
      { type: 'output-unpin', output: 0, source: 'a' },
      { type: 'output-unpin', output: 1, source: 'b' },
    ]);
  });
});
