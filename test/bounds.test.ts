// Every option that sizes memory has an upper bound, checked when the operator or state machine is created; memory
// at subscribe grows with what is used, not with the bound.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NEVER, Subject, type OperatorFunction } from 'rxjs';
import {
  AudioMixerCore,
  audioMixer,
  LoudestSelector,
  MAX_OUTPUTS,
  mixRoom,
  OutputPinner,
  pinOutputs,
  RoomMixerCore,
  selectLoudest,
  speechMixer,
  type OutputEvent,
  type SourceEvent,
} from 'rx-audio-mixer';
import { RtpOutputRewriter, toRtpOutputs } from 'rx-audio-mixer/rtp';
import { toWeriftTracks, WeriftOutputWriter } from 'rx-audio-mixer/werift';

const tooMany = (value: number) =>
  new RangeError(`rx-audio-mixer: option 'outputs' must be an integer <= 1024, got ${value}`);

const makers: [string, (outputs: number) => unknown][] = [
  ['audioMixer', (outputs) => audioMixer({ outputs })],
  ['selectLoudest', (outputs) => selectLoudest({ outputs })],
  ['pinOutputs', (outputs) => pinOutputs({ outputs })],
  ['speechMixer', (outputs) => speechMixer({ outputs })],
  ['mixRoom', (outputs) => mixRoom(NEVER, { outputs })],
  ['toRtpOutputs', (outputs) => toRtpOutputs({ outputs, extensionId: 1 })],
  ['AudioMixerCore', (outputs) => new AudioMixerCore({ outputs, threshold: 30, timeout: 1000 }, () => undefined)],
  ['LoudestSelector', (outputs) => new LoudestSelector({ outputs, threshold: 30 }, () => undefined)],
  ['OutputPinner', (outputs) => new OutputPinner({ outputs }, () => undefined)],
  ['RoomMixerCore', (outputs) => new RoomMixerCore({ outputs, threshold: 30, timeout: 1000 })],
  [
    'RtpOutputRewriter',
    (outputs) =>
      new RtpOutputRewriter(
        { outputs, ssrcs: [], firstSequenceNumbers: [], firstTimestamps: [], clockRate: 48000, extensionId: 1, outputExtensionId: 1 },
        () => undefined,
      ),
  ],
  [
    'WeriftOutputWriter',
    (outputs) =>
      new WeriftOutputWriter(
        { outputs, firstSequenceNumbers: [], firstTimestamps: [], clockRate: 48000, extensionId: 1 },
        () => undefined,
        () => undefined,
      ),
  ],
];

describe('outputs is at most MAX_OUTPUTS (1024)', () => {
  it('MAX_OUTPUTS is 1024', () => {
    expect(MAX_OUTPUTS).toBe(1024);
  });

  it.each(makers)('%s throws a RangeError naming the option and the bound, at creation', (_name, make) => {
    expect(() => make(1025)).toThrow(tooMany(1025));
    expect(() => make(2 ** 32)).toThrow(tooMany(2 ** 32));
    expect(() => make(1e8)).toThrow(tooMany(1e8));
    expect(() => make(0)).toThrow(new RangeError("rx-audio-mixer: option 'outputs' must be an integer >= 1, got 0"));
    expect(() => make(MAX_OUTPUTS)).not.toThrow();
  });

  it('toWeriftTracks takes at most MAX_OUTPUTS tracks, one per output, saying so at creation', () => {
    const track = { writeRtp: () => undefined };
    expect(() => toWeriftTracks(Array.from({ length: MAX_OUTPUTS + 1 }, () => track))).toThrow(
      new RangeError("rx-audio-mixer: 'tracks' must hold at most 1024 tracks (one per output), got 1025"),
    );
    expect(() => toWeriftTracks(Array.from({ length: MAX_OUTPUTS }, () => track))).not.toThrow();
  });

  it('1024 outputs subscribe and mix: 1024 sources each get an output, the 1025th takes the first freed', () => {
    const room = new Subject<SourceEvent<number, string>>();
    const seen: OutputEvent<number, string>[] = [];
    room.pipe(audioMixer<number, string>({ outputs: 1024 })).subscribe((e) => seen.push(e));
    for (let source = 0; source < 1025; source++) room.next({ type: 'source-pkt', source, level: -50, data: `${source}` });
    const pins = seen.filter((e) => e.type === 'output-pin');
    expect(pins.map((e) => e.output)).toStrictEqual(Array.from({ length: 1024 }, (_, output) => output));
    expect(seen.at(-1)).toStrictEqual({ type: 'output-pkt', output: 1023, source: 1023, level: -50, data: '1023' });
    seen.length = 0;
    room.next({ type: 'source-removed', source: 500 });
    expect(seen).toStrictEqual([
      { type: 'output-unpin', output: 500, source: 500 },
      { type: 'output-pin', output: 500, source: 1024 },
    ]);
    seen.length = 0;
    room.complete();
    expect(seen).toHaveLength(1024);
    expect(seen.map((e) => e.output)).toStrictEqual(Array.from({ length: 1024 }, (_, output) => output));
  });

  it('1024 outputs in a room: a listener that does not hear one pinned source refills its output with the next', () => {
    const sources = new Subject<SourceEvent<number, string>>();
    const room = mixRoom<number, string>(sources, { outputs: 1024 });
    const everyone: OutputEvent<number, string>[] = [];
    const notZero: OutputEvent<number, string>[] = [];
    room.listen().subscribe((e) => everyone.push(e));
    room.listen({ exclude: [0] }).subscribe((e) => notZero.push(e));
    for (let source = 0; source < 1025; source++) sources.next({ type: 'source-pkt', source, level: -50, data: '' });
    expect(everyone.filter((e) => e.type === 'output-pin')).toHaveLength(1024);
    const pins = notZero.filter((e) => e.type === 'output-pin');
    expect(pins).toHaveLength(1024);
    expect(pins.find((e) => e.output === 0)?.source).toBe(1);
    expect(pins.find((e) => e.output === 1023)?.source).toBe(1024);
  });
});

/** `global.gc`, without `--expose-gc` on the command line. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('memory at subscribe grows with the outputs used, not with outputs', () => {
  const gc = collector();
  const used = () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return { heap: heapUsed, buffers: arrayBuffers };
  };
  /** The memory that `count` subscriptions (kept) take: JS heap, and array buffers (typed arrays over 64 bytes). */
  const cost = (subscribe: () => unknown, count = 200) => {
    const kept: unknown[] = [];
    const before = used();
    for (let i = 0; i < count; i++) kept.push(subscribe());
    const after = used();
    expect(kept).toHaveLength(count);
    return { heap: after.heap - before.heap, buffers: after.buffers - before.buffers };
  };
  const subscribeTo = (make: (outputs: number) => OperatorFunction<never, unknown>) => (outputs: number) => {
    const operator = make(outputs);
    return () => new Subject<never>().pipe(operator).subscribe();
  };
  /** Many listeners of a room, each with a view of its own (none hears `mic`, which is pinned). */
  const roomListeners = (outputs: number) => {
    const sources = new Subject<SourceEvent>();
    const room = mixRoom(sources, { outputs });
    room.listen().subscribe();
    sources.next({ type: 'source-pkt', source: 'mic', level: -10, data: new Uint8Array() });
    return () => room.listen({ exclude: ['mic'] }).subscribe();
  };

  it.each([
    ['audioMixer', subscribeTo((outputs) => audioMixer({ outputs }))],
    ['selectLoudest', subscribeTo((outputs) => selectLoudest({ outputs }))],
    ['pinOutputs', subscribeTo((outputs) => pinOutputs({ outputs }))],
    ['toRtpOutputs', subscribeTo((outputs) => toRtpOutputs({ outputs, extensionId: 1 }) as OperatorFunction<never, unknown>)],
    ['mixRoom (listeners with views of their own)', roomListeners],
  ] as const)('%s: 200 subscriptions with 1024 outputs take what 200 with 1 output take', (_name, subscriber) => {
    // First, once each: what is compiled and cached the first time is not counted against either.
    cost(subscriber(1), 20);
    cost(subscriber(MAX_OUTPUTS), 20);
    const one = cost(subscriber(1));
    const max = cost(subscriber(MAX_OUTPUTS));
    // Typed arrays for every output (pins, free outputs, the selected heap) would be 8 to 20 KB per subscription in
    // array buffers: 1.6 to 4 MB more; objects for every output (RTP streams) 100 KB each on the heap: 20 MB more.
    // The heap varies by a few hundred KB from run to run; array buffers do not.
    expect(max.buffers - one.buffers).toBeLessThan(100_000);
    expect(max.heap - one.heap).toBeLessThan(2_000_000);
  }, 60_000); // eight full collections: seconds on a busy machine, and no bound on time is what is tested
});
