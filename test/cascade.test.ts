// The cascade's wire format, publishSelection and remoteSources, over an in-memory bus.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge, Subject } from 'rxjs';
import { audioMixer, type InvalidReport, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { decodeEvent, encodeEvent, MalformedMessage, publishSelection, remoteSources } from 'rx-audio-mixer/nats';
import { marbles } from './helpers.js';
import { MemoryBus } from '../scripts/memoryBus.js';

type Out = OutputEvent;
const bytes = (...b: number[]) => Uint8Array.from(b);

describe('the wire format', () => {
  it('round-trips every output event it can carry', () => {
    const event = fc.oneof(
      fc.record({ type: fc.constant('output-pin' as const), output: fc.integer({ min: 0, max: 255 }), source: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }) }),
      fc.record({ type: fc.constant('output-unpin' as const), output: fc.integer({ min: 0, max: 255 }), source: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }) }),
      fc.record({
        type: fc.constant('output-pkt' as const),
        output: fc.integer({ min: 0, max: 255 }),
        source: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
        level: fc.integer({ min: -12700, max: 0 }).map((n) => n / 100),
        data: fc.uint8Array({ maxLength: 200 }),
      }),
    );
    fc.assert(
      fc.property(event, (e) => {
        expect(decodeEvent(encodeEvent({ ...e }))).toStrictEqual({ ...e });
      }),
      { numRuns: 2000 },
    );
  });

  it('costs 5 bytes per packet besides the source id and the data, 3 per pin or unpin', () => {
    expect(encodeEvent({ type: 'output-pkt', output: 1, source: 'alice', level: -20, data: new Uint8Array(60) }).byteLength).toBe(5 + 5 + 60);
    expect(encodeEvent({ type: 'output-pin', output: 1, source: 'alice' }).byteLength).toBe(3 + 5);
  });

  it('refuses what it cannot carry, and reads nothing that is not its own', () => {
    expect(() => encodeEvent({ type: 'output-pin', output: 256, source: 'a' })).toThrow(RangeError);
    expect(() => encodeEvent({ type: 'output-pin', output: 0, source: 'x'.repeat(256) })).toThrow(RangeError);
    for (const bad of [bytes(), bytes(0x10), bytes(0x20, 0, 1, 97), bytes(0x13, 0, 1, 97), bytes(0x10, 0, 5, 97), bytes(0x10, 0, 0), bytes(0x10, 0, 1, 0xff), bytes(0x10, 0, 1, 97, 1), bytes(0x11, 0, 0x7f, 0xff, 1, 97)]) {
      expect(() => decodeEvent(bad), String([...bad])).toThrow(MalformedMessage);
    }
  });
});

describe('publishSelection', () => {
  it('publishes every event on <prefix>.<room>.<node>, passes it on, and unpins what is pinned when it ends', () => {
    for (const ending of ['complete', 'error', 'unsubscribe'] as const) {
      const bus = new MemoryBus();
      const seen: Out[] = [];
      const watcher = bus.connect('watcher');
      watcher.subscribe('rx-audio-mixer.room1.*', { callback: (_e, m) => seen.push(decodeEvent(m.data)) });
      const input = new Subject<Out>();
      const passed: Out[] = [];
      const subscription = input
        .pipe(publishSelection(bus.connect('n1'), { room: 'room1', node: 'n1' }))
        .subscribe({ next: (e) => passed.push(e), error: () => undefined });
      const events: Out[] = [
        { type: 'output-pin', output: 1, source: 'bob' },
        { type: 'output-pin', output: 0, source: 'alice' },
        { type: 'output-pkt', output: 0, source: 'alice', level: -12.5, data: bytes(1, 2) },
      ];
      events.forEach((e) => { input.next(e); });
      if (ending === 'complete') input.complete();
      else if (ending === 'error') input.error(new Error('x'));
      else subscription.unsubscribe();
      expect(passed).toStrictEqual(events);
      expect(seen).toStrictEqual([
        ...events,
        { type: 'output-unpin', output: 0, source: 'alice' },
        { type: 'output-unpin', output: 1, source: 'bob' },
      ]);
    }
  });

  it('checks its options', () => {
    const nc = new MemoryBus().connect('x');
    expect(() => publishSelection(nc, { room: 'a.b', node: 'n' })).toThrow(/'room'/);
    expect(() => publishSelection(nc, { room: 'r', node: '*' })).toThrow(/'node'/);
    expect(() => publishSelection({} as never, { room: 'r', node: 'n' })).toThrow(/'connection'/);
  });
});

describe('remoteSources', () => {
  it('turns other nodes’ selections into source events, ignores its own, times out a vanished node', marbles((m) => {
    const bus = new MemoryBus();
    const mine = bus.connect('n1');
    const other = bus.connect('n2');
    const reports: InvalidReport[] = [];
    const remote = remoteSources(mine, { room: 'r', node: 'n1', timeout: 5, scheduler: m.scheduler, onInvalid: (r) => reports.push(r) });
    const send = (from: typeof mine, node: string, e: Out) => {
      from.publish(`rx-audio-mixer.r.${node}`, encodeEvent(e));
    };
    const script = m.hot('p-k-o-x-k-u---P-K------', {
      p: () => { send(other, 'n2', { type: 'output-pin', output: 0, source: 'alice' }); },
      k: () => { send(other, 'n2', { type: 'output-pkt', output: 0, source: 'alice', level: -20, data: bytes(7) }); },
      o: () => { send(mine, 'n1', { type: 'output-pin', output: 0, source: 'me' }); },
      x: () => { other.publish('rx-audio-mixer.r.n2', bytes(0x77)); },
      u: () => { send(other, 'n2', { type: 'output-unpin', output: 0, source: 'alice' }); },
      P: () => { send(other, 'n2', { type: 'output-pin', output: 1, source: 'bob' }); },
      K: () => { send(other, 'n2', { type: 'output-pkt', output: 1, source: 'bob', level: -3, data: bytes(8) }); },
    });
    script.subscribe((f) => { f(); });
    const events: Record<string, SourceEvent> = {
      a: { type: 'source-added', source: 'alice' },
      k: { type: 'source-pkt', source: 'alice', level: -20, data: bytes(7) },
      r: { type: 'source-removed', source: 'alice' },
      b: { type: 'source-added', source: 'bob' },
      K: { type: 'source-pkt', source: 'bob', level: -3, data: bytes(8) },
      R: { type: 'source-removed', source: 'bob' },
    };
    // alice's last message before 8 is at 2: removed at 7; her packet at 8 makes her known again, the unpin at 10
    // removes her. bob's last message is at 16: he is removed at 21, as a vanished node's sources are.
    m.expect(remote).toBeObservable('a-k----rk-r---b-K----R', events);
    m.scheduler.schedule(() => {
      expect(reports.map((r) => r.reason)).toStrictEqual(['malformed-message']);
    }, 22);
  }));

  it('unsubscribes from the bus when its subscriber leaves', () => {
    const bus = new MemoryBus();
    const subscription = remoteSources(bus.connect('n1'), { room: 'r', node: 'n1' }).subscribe();
    expect(bus.subscribers).toBe(1);
    subscription.unsubscribe();
    expect(bus.subscribers).toBe(0);
  });

  it('two nodes: each one’s listener hears the other’s selected sources through its own mixer', () => {
    const bus = new MemoryBus();
    const nodes = ['n1', 'n2'].map((node) => {
      const nc = bus.connect(node);
      const local = new Subject<SourceEvent>();
      local.pipe(audioMixer({ outputs: 1 }), publishSelection(nc, { room: 'r', node })).subscribe();
      const heard: string[] = [];
      merge(local, remoteSources(nc, { room: 'r', node }))
        .pipe(audioMixer({ outputs: 1 }))
        .subscribe((e) => heard.push(`${e.type} ${e.source}`));
      return { local, heard };
    });
    nodes[0]!.local.next({ type: 'source-pkt', source: 'alice', level: -50, data: bytes(1) });
    nodes[1]!.local.next({ type: 'source-pkt', source: 'bob', level: -10, data: bytes(2) });
    expect(nodes[0]!.heard).toStrictEqual(['output-pin alice', 'output-pkt alice', 'output-unpin alice', 'output-pin bob', 'output-pkt bob']);
    expect(nodes[1]!.heard).toStrictEqual(['output-pin alice', 'output-pkt alice', 'output-unpin alice', 'output-pin bob', 'output-pkt bob']);
  });

  it('a node whose input completes publishes its unpins: its sources leave the other nodes at once', () => {
    const bus = new MemoryBus();
    const inputs = ['n1', 'n2'].map((node) => {
      const nc = bus.connect(node);
      const local = new Subject<SourceEvent>();
      local.pipe(audioMixer({ outputs: 1 }), publishSelection(nc, { room: 'r', node })).subscribe();
      const heard: string[] = [];
      merge(local, remoteSources(nc, { room: 'r', node, timeout: 60_000 }))
        .pipe(audioMixer({ outputs: 2, timeout: 60_000 }))
        .subscribe((e) => heard.push(`${e.type} ${e.source}`));
      return { local, heard };
    });
    inputs[1]!.local.next({ type: 'source-pkt', source: 'bob', level: -10, data: bytes(2) });
    expect(inputs[0]!.heard).toStrictEqual(['output-pin bob', 'output-pkt bob']);
    inputs[1]!.local.complete();
    // No timeout involved: the unpin travels at once.
    expect(inputs[0]!.heard).toStrictEqual(['output-pin bob', 'output-pkt bob', 'output-unpin bob']);
  });
});
