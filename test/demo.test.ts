import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audioLevel } from 'rx-audio-mixer';
import { runDemo, type Io } from '../demo/cli.js';
import { makeReport } from '../demo/report.js';
import { readTrack, wavBytes, type RoomTruth } from '../demo/room.js';
import { mix, packetize, PACKET_SAMPLES } from '../demo/session.js';
import { allText } from './documents.js';
import { mixDown } from '../demo/render.js';

const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-demo-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const sine = (amplitude: number, hz: number, samples: number) =>
  Float32Array.from({ length: samples }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 48_000));

/** Deterministic white noise with the given RMS. */
function noise(rms: number, samples: number): Float32Array {
  let state = 12345;
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = ((state / 2 ** 32) * 2 - 1) * rms * Math.sqrt(3); // uniform noise: RMS = amplitude / sqrt(3)
  }
  return out;
}

describe('audioLevel (RFC 6464 section 3)', () => {
  it('gives a full-scale sine -3 dBov, a full-scale square 0, silence -127', () => {
    expect(audioLevel(sine(1, 1000, 960))).toBe(-3);
    expect(audioLevel(Float32Array.from({ length: 960 }, (_, i) => (i % 48 < 24 ? 1 : -1)))).toBe(0);
    expect(audioLevel(new Float32Array(960))).toBe(-127);
    expect(audioLevel(new Float32Array(0))).toBe(-127);
  });

  it('gives -20 dBov noise -20, and reads 16-bit samples the same as floats', () => {
    expect(audioLevel(noise(0.1, 960))).toBe(-20);
    const float = sine(0.5, 440, 960);
    expect(audioLevel(Int16Array.from(float, (x) => Math.round(x * 32767)))).toBe(audioLevel(float));
    expect(audioLevel(float)).toBe(-9);
  });

  it('floors what is quieter than -127 dBov at -127', () => {
    expect(audioLevel(Float32Array.from({ length: 960 }, () => 1e-9))).toBe(-127);
  });
});

describe('WAV files', () => {
  it('round-trips mono 48 kHz PCM through a 16-bit WAV file', () => {
    const samples = sine(0.8, 300, 4800);
    const file = join(folder, 'round.wav');
    writeFileSync(file, wavBytes(samples));
    const track = readTrack(file);
    expect(track.name).toBe('round');
    expect(track.samples.length).toBe(samples.length);
    track.samples.forEach((x, i) => {
      expect(Math.abs(x - (samples[i] ?? 0))).toBeLessThan(1 / 16384);
    });
  });
});

describe('packets and mixing', () => {
  it('cuts tracks into 20 ms packets, pads the last one, and interleaves them by arrival time', () => {
    const events = packetize([
      { name: 'a', file: 'a.wav', samples: sine(0.5, 200, 2 * PACKET_SAMPLES + 10) },
      { name: 'b', file: 'b.wav', samples: new Float32Array(PACKET_SAMPLES) },
    ]);
    expect(events.map((e) => [e.time, e.event.source])).toStrictEqual([
      [0, 'a'],
      [1, 'b'],
      [20, 'a'],
      [40, 'a'],
    ]);
    const last = events[3]?.event;
    expect(last?.type === 'source-pkt' && last.data.pcm.length).toBe(PACKET_SAMPLES);
    expect(last?.type === 'source-pkt' && last.data.pcm[10]).toBe(0);
    expect(events[1]?.event.type === 'source-pkt' && events[1].event.level).toBe(-127);
  });

  it('keeps the mix from clipping where speakers overlap', () => {
    const mixed = mixDown([Float32Array.of(0.5, 0.95, -0.99), Float32Array.of(0.2, 0.9, -0.9)]);
    expect(mixed[0]).toBeCloseTo(0.7);
    expect(Math.abs(mixed[1] ?? 0)).toBeLessThan(1);
    expect(Math.abs(mixed[2] ?? 0)).toBeLessThan(1);
    expect(Math.abs(mixed[2] ?? 0)).toBeGreaterThan(0.9);
  });
});

describe('the report, on a tiny hand-made room', () => {
  // Two speakers, one output, 200 ms: a speaks 0-100 ms, b speaks 100-200 ms, each silent otherwise.
  const loud = sine(0.3, 200, 5 * PACKET_SAMPLES);
  const quiet = new Float32Array(5 * PACKET_SAMPLES);
  const a = new Float32Array(10 * PACKET_SAMPLES);
  a.set(loud, 0);
  const b = new Float32Array(10 * PACKET_SAMPLES);
  b.set(quiet, 0);
  b.set(loud, 5 * PACKET_SAMPLES);
  const truth: RoomTruth = {
    sampleRate: 48_000,
    durationMs: 200,
    speakers: [
      { name: 'a', file: 'a.wav', role: 'talker', speechMs: [[0, 100]] },
      { name: 'b', file: 'b.wav', role: 'talker', speechMs: [[100, 200]] },
    ],
  };
  const inputs = packetize([
    { name: 'a', file: 'a.wav', samples: a },
    { name: 'b', file: 'b.wav', samples: b },
  ]);
  const heard = mix(inputs, 220, { mixer: 'audio', outputs: 1, threshold: 30 });
  const report = makeReport(inputs, heard, 220, truth);

  it('counts packets in, forwarded, time pinned and pins per source', () => {
    // a holds the output from 0 until b's first loud packet (100 ms, arriving at 101) takes it, so a's own packet of
    // 100 ms (arriving at 100) still goes out; b keeps the output to the end.
    expect(report.sources).toStrictEqual([
      { source: 'a', packetsIn: 10, packetsForwarded: 6, pinnedMs: 101, pins: 1 },
      { source: 'b', packetsIn: 10, packetsForwarded: 5, pinnedMs: 119, pins: 1 },
    ]);
    expect(report.switchesPerMinute).toBeCloseTo((1 * 60_000) / 220);
  });

  it('measures the speech heard and the speech lost at onsets against the ground truth', () => {
    expect(report.truth?.speechHeard).toBe(1);
    expect(report.truth?.onsetLossMs).toStrictEqual([0, 0]);
    // With a threshold no one can beat, b is never heard.
    const stubborn = makeReport(inputs, mix(inputs, 220, { mixer: 'audio', outputs: 1, threshold: 127 }), 220, truth);
    expect(stubborn.truth?.speechHeard).toBe(0.5);
    expect(stubborn.truth?.onsetLossMs).toStrictEqual([0, 100]);
  });
});

function captureIo(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, log: (l) => out.push(l), error: (l) => err.push(l), interactive: false };
}

describe('npm run demo', () => {
  it('mixes the default room, prints the report and writes every file', async () => {
    const io = captureIo();
    const out = join(folder, 'default');
    expect(await runDemo(['--out', out], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toMatch(/alice\s+1000\s+\d+/);
    expect(text).toMatch(/speech that reached the listener: \d+\.\d%/);
    expect(text).toMatch(/speech lost at onsets: \d+ ms/);
    for (const name of ['output-0.wav', 'output-1.wav', 'mix.wav', 'events.jsonl', 'timeline.svg']) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    expect(readTrack(join(out, 'mix.wav')).samples.length).toBe(20 * 48_000);
    const svg = readFileSync(join(out, 'timeline.svg'), 'utf8');
    expect(svg).toContain('<svg');
    // The README shows a rendered copy: it must be what the demo draws today (refresh with `npm run demo -- --out
    // demo-out && cp demo-out/timeline.svg docs/`).
    expect(svg === readFileSync(new URL('../docs/timeline.svg', import.meta.url), 'utf8'), 'docs/timeline.svg is stale').toBe(true);
    // The README shows this report as it is (wherever the documentation shows it).
    const readme = allText();
    const shown = /```text\n(5 sources, 2 outputs[\s\S]*?)\n```/.exec(readme)?.[1];
    const report = io.out.slice(0, io.out.findIndex((line) => line.startsWith('wrote '))).join('\n');
    expect(report.trim()).toBe(shown);
    const first = JSON.parse(readFileSync(join(out, 'events.jsonl'), 'utf8').split('\n')[0] ?? '{}') as { type?: string };
    expect(first.type).toBe('output-pin');
  });

  it('with one output, loses what the README says', async () => {
    const io = captureIo();
    expect(await runDemo(['--outputs', '1', '--out', join(folder, 'one')], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('speech that reached the listener: 84.2%');
    expect(text).toContain('speech lost at onsets: 4 ms on average');
    const readme = allText().replace(/\s+/g, ' ');
    expect(readme).toContain('loses 15.8% of its speech');
    expect(readme).toContain('and 4 ms at an average onset');
  });

  it.each([
    [['missing.wav'], /^demo: missing\.wav: no such file$/],
    [['NOT_A_WAV'], /^demo: .*not-a-wav\.wav: not a WAV file$/],
    [['RATE'], /^demo: .*rate\.wav: is 44100 Hz; the demo needs 48000 Hz$/],
    [['STEREO'], /^demo: .*stereo\.wav: has 2 channels; the demo needs mono$/],
    [['--outputs', '0'], /^demo: --outputs must be an integer >= 1, got 0$/],
    [['--mixer', 'loud'], /^demo: --mixer must be speech or audio, got loud$/],
    [['--threshold', 'loud'], /^demo: --threshold must be a number of dB >= 0, got loud$/],
    [['--volume', '3'], /^demo: Unknown option '--volume'/],
  ])('ends a user error (%s) with one line and exit code 1', async (args, message) => {
    const { WaveFile } = (await import('wavefile')).default;
    const notWav = join(folder, 'not-a-wav.wav');
    writeFileSync(notWav, 'hello, not RIFF');
    const rate = new WaveFile();
    rate.fromScratch(1, 44_100, '16', [0, 0, 0]);
    writeFileSync(join(folder, 'rate.wav'), rate.toBuffer());
    const stereo = new WaveFile();
    stereo.fromScratch(2, 48_000, '16', [
      [0, 0],
      [0, 0],
    ]);
    writeFileSync(join(folder, 'stereo.wav'), stereo.toBuffer());
    const replaced = args.map((a) =>
      a === 'NOT_A_WAV' ? notWav : a === 'RATE' ? join(folder, 'rate.wav') : a === 'STEREO' ? join(folder, 'stereo.wav') : a,
    );
    const io = captureIo();
    expect(await runDemo([...replaced, '--out', join(folder, 'never')], io)).toBe(1);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
  });
});
