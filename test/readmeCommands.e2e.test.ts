// The documentation's shell commands (README and docs/, today docs/rtp.md), run as written: `npm run rtp-demo`, the GStreamer sender pipeline (one per espeak-ng
// speaker, taking turns) and the receiver pipeline (its audio sink swapped for a WAV file). The decoded outputs must
// hold every turn's speech. Only the ports (free ones on loopback) and file names are substituted.
//
// Needs GStreamer and espeak-ng (`.ci/run` installs them). Outside CI without them, the test skips and says how to
// install them; in CI it fails instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { allText, root } from './documents.js';
import { waitFor } from './waitFor.js';

const readme = allText();
const tools = ['gst-launch-1.0', 'espeak-ng'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const INSTALL =
  'apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad espeak-ng';
if (missing.length > 0 && process.env.CI === undefined) {
  console.warn(`skipping the README's GStreamer commands: ${missing.join(' and ')} not installed (${INSTALL})`);
}

/** The documentation's commands, taken from its text (README and docs/). */
export function readmeCommands() {
  const server = /^npm run rtp-demo -- .*$/m.exec(readme)?.[0];
  const sender = /^```sh\n(gst-launch-1\.0 filesrc[\s\S]*?)^```$/m.exec(readme)?.[1]?.trim();
  const receiver = /`(gst-launch-1\.0 udpsrc [^`]*)`/.exec(readme)?.[1];
  if (server === undefined || sender === undefined || receiver === undefined) {
    throw new Error('the documentation no longer has the rtp-demo, sender and receiver commands');
  }
  return { server, sender, receiver };
}

/** A free UDP port on loopback with `count` free ports after it, every second one (the listener's port + 2k). */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 10000);
    const sockets = Array.from({ length: count }, () => createSocket('udp4'));
    const bound = await Promise.all(
      sockets.map(
        (socket, k) =>
          new Promise<boolean>((resolve) => {
            socket.once('error', () => { resolve(false); });
            socket.bind(base + 2 * k, '127.0.0.1', () => { resolve(true); });
          }),
      ),
    );
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => { resolve(); }))).map((p) => p.catch(() => undefined)));
    if (bound.every(Boolean)) return base;
  }
  throw new Error('no free UDP ports on loopback');
}

interface Turn {
  speaker: string;
  voice: string;
  text: string;
  startMs: number;
}

export const TURNS: Turn[] = [
  { speaker: 'alice', voice: 'en-us+f3', text: 'Good morning everyone, shall we begin with the budget?', startMs: 600 },
  { speaker: 'bob', voice: 'en-gb+m3', text: 'Yes, the numbers for the third quarter look much better.', startMs: 4600 },
  { speaker: 'carol', voice: 'en-gb-scotland+f2', text: 'I still have questions about the travel costs though.', startMs: 8600 },
  { speaker: 'dave', voice: 'en-us+m1', text: 'Let us write them down and answer them by Friday.', startMs: 12600 },
];

const SAMPLE_RATE = 22050; // espeak-ng's own rate: the sender pipeline resamples to 48 kHz

/** Speaks a turn with espeak-ng; returns its samples (16-bit mono). */
export function speak(turn: Turn, folder: string): Int16Array {
  const file = join(folder, `${turn.speaker}-speech.wav`);
  const result = spawnSync('espeak-ng', ['-v', turn.voice, '-s', '165', '-w', file, turn.text]);
  if (result.status !== 0) throw new Error(`espeak-ng failed: ${String(result.stderr)}`);
  return readSamples(file).samples;
}

/** Reads a 16-bit PCM WAV as mono samples. */
export function readSamples(file: string): { samples: Int16Array; rate: number } {
  const wav = new wavefile.WaveFile(readFileSync(file));
  const format = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
  if (format.bitsPerSample !== 16) throw new Error(`${file}: ${format.bitsPerSample}-bit, expected 16`);
  const data = (wav.data as { samples: Uint8Array }).samples;
  const all = new Int16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const channels = format.numChannels;
  const mono = new Int16Array(Math.floor(all.length / channels));
  for (let i = 0; i < mono.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += all[i * channels + c] ?? 0;
    mono[i] = Math.round(sum / channels);
  }
  return { samples: mono, rate: format.sampleRate };
}

/** Writes 16-bit mono PCM. */
export function writeSamples(file: string, samples: Int16Array, rate: number): void {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, rate, '16', samples);
  writeFileSync(file, wav.toBuffer());
}

/** RMS per 10 ms frame. */
export function envelope(samples: Int16Array, rate: number): Float64Array {
  const frame = Math.round(rate / 100);
  const out = new Float64Array(Math.floor(samples.length / frame));
  for (let f = 0; f < out.length; f++) {
    let sum = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) sum += (samples[i] ?? 0) ** 2;
    out[f] = Math.sqrt(sum / frame);
  }
  return out;
}

/** The best Pearson correlation of `pattern` with any window of `signal` of the same length. */
export function bestMatch(pattern: Float64Array, signal: Float64Array): number {
  const n = pattern.length;
  const mean = (a: Float64Array, from: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[from + i]!;
    return s / n;
  };
  const pm = mean(pattern, 0);
  let pv = 0;
  for (let i = 0; i < n; i++) pv += (pattern[i]! - pm) ** 2;
  let best = -1;
  for (let shift = 0; shift + n <= signal.length; shift++) {
    const sm = mean(signal, shift);
    let cov = 0;
    let sv = 0;
    for (let i = 0; i < n; i++) {
      const d = signal[shift + i]! - sm;
      cov += (pattern[i]! - pm) * d;
      sv += d * d;
    }
    if (sv > 0 && pv > 0) best = Math.max(best, cov / Math.sqrt(pv * sv));
  }
  return best;
}

/** Starts a shell command in its own process group, collecting its output. */
export function start(command: string): ChildProcess & { output: () => string } {
  const child = spawn('bash', ['-c', command], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

export async function exited(child: ChildProcess, ms: number): Promise<number | null> {
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, {
    timeout: ms,
    what: () => `${child.spawnargs.join(' ')} to exit\n${'output' in child ? (child as { output: () => string }).output() : ''}`,
  });
  return child.exitCode;
}

/**
 * The UDP sockets open on this machine: for each local port, the bytes waiting to be read (Linux's /proc/net/udp,
 * read only, so that looking does not race the process that binds).
 */
function udpQueues(): Map<number, number> {
  const queues = new Map<number, number>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    const rx = Number.parseInt(fields[4]?.split(':')[1] ?? '', 16);
    if (Number.isInteger(port) && Number.isInteger(rx)) queues.set(port, (queues.get(port) ?? 0) + rx);
  }
  return queues;
}

/** Until a receiver pipeline has bound its port (it then keeps what arrives until it plays). */
async function bound(ports: number[]): Promise<void> {
  await waitFor(() => ports.every((port) => udpQueues().has(port)), {
    timeout: 30_000,
    what: () => `the receivers to bind ports ${ports.join(', ')}`,
  });
}

/** Until the receivers have read every datagram that reached their ports. */
async function drained(ports: number[]): Promise<void> {
  await waitFor(() => ports.every((port) => udpQueues().get(port) === 0), {
    timeout: 30_000,
    what: () => `the receivers to read what reached them (${ports.map((port) => `${port}: ${udpQueues().get(port)} bytes`).join(', ')})`,
  });
}

/** Until rtp-demo prints its address. */
async function listening(mixer: ReturnType<typeof start>): Promise<void> {
  await waitFor(() => mixer.output().includes('mixing RTP from') || mixer.exitCode !== null, {
    timeout: 30_000,
    what: () => `rtp-demo to start:\n${mixer.output()}`,
  });
  if (mixer.exitCode !== null) throw new Error(`rtp-demo ended:\n${mixer.output()}`);
}

/**
 * Until rtp-demo has handled everything sent to it: two of its stats lines (one a second) printed after `after` lines
 * are alike, so nothing more arrives.
 */
async function settled(mixer: ReturnType<typeof start>, after: number): Promise<void> {
  const lines = () => (mixer.output().match(/^received .*$/gm) ?? []).slice(after);
  await waitFor(
    () => {
      const seen = lines();
      return seen.length >= 2 && seen.at(-1) === seen.at(-2);
    },
    { timeout: 30_000, what: () => `rtp-demo to have handled every packet:\n${lines().join('\n')}` },
  );
}

const statsLines = (mixer: ReturnType<typeof start>) => (mixer.output().match(/^received .*$/gm) ?? []).length;

export function interrupt(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe.skipIf(missing.length > 0 && process.env.CI === undefined)("the README's GStreamer commands", () => {
  it(
    'rtp-demo mixes four espeak-ng speakers sent by the README sender; the README receiver decodes every turn',
    { timeout: 180_000 },
    async () => {
      expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
      const { server, sender, receiver } = readmeCommands();
      const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-gst-'));
      try {
        const totalMs = 17000;
        const speech = TURNS.map((turn) => {
          const samples = speak(turn, folder);
          const padded = new Int16Array(Math.round((totalMs / 1000) * SAMPLE_RATE));
          padded.set(samples.subarray(0, padded.length - Math.round((turn.startMs / 1000) * SAMPLE_RATE)), Math.round((turn.startMs / 1000) * SAMPLE_RATE));
          writeSamples(join(folder, `${turn.speaker}.wav`), padded, SAMPLE_RATE);
          return envelope(samples, SAMPLE_RATE);
        });

        const mixerPort = await freePorts(1);
        const listenerPort = await freePorts(3);
        const serverCommand = server.replace('--port 5004', `--port ${mixerPort}`).replace('127.0.0.1:6000', `127.0.0.1:${listenerPort}`);
        expect(serverCommand).not.toBe(server);
        const mixer = start(serverCommand);
        children.push(mixer);
        const receivers = [0, 1, 2].map((k) => {
          const command = receiver
            .replace('gst-launch-1.0 ', 'gst-launch-1.0 -e ')
            .replace('port=6000', `port=${listenerPort + 2 * k}`)
            .replace('autoaudiosink', `audioconvert ! audio/x-raw,format=S16LE ! wavenc ! filesink location=${join(folder, `output-${k}.wav`)}`);
          const child = start(command);
          children.push(child);
          return child;
        });
        const ports = [0, 1, 2].map((k) => listenerPort + 2 * k);
        await listening(mixer);
        await bound(ports);

        const senders = TURNS.map((turn) => {
          const command = sender.replace('location=alice.wav', `location=${join(folder, `${turn.speaker}.wav`)}`).replace('port=5004', `port=${mixerPort}`);
          const child = start(command);
          children.push(child);
          return child;
        });
        const codes = await Promise.all(senders.map((child) => exited(child, 60_000)));
        const statsAtEnd = statsLines(mixer);
        expect(codes, senders.map((s) => s.output()).join('\n')).toStrictEqual([0, 0, 0, 0]);
        await settled(mixer, statsAtEnd);
        await drained(ports);
        receivers.forEach(interrupt);
        await Promise.all(receivers.map((child) => exited(child, 10_000)));
        interrupt(mixer);
        await exited(mixer, 10_000); // npm passes the interrupt on to the demo, which closes its socket
        expect(mixer.output()).toMatch(/received \d+ \(0 invalid\)/);

        const outputs = [0, 1, 2].map((k) => {
          const { samples, rate } = readSamples(join(folder, `output-${k}.wav`));
          expect(rate).toBe(48000);
          return envelope(samples, rate);
        });
        // Every turn's speech, with its own loudness contour, is in one of the decoded outputs.
        const matches = speech.map((turn) => Math.max(...outputs.map((output) => bestMatch(turn, output))));
        console.log(`README commands: best match of each turn in the decoded outputs: ${matches.map((m) => m.toFixed(3)).join(', ')}`);
        for (const [k, match] of matches.entries()) expect(match, `${TURNS[k]!.speaker}'s turn`).toBeGreaterThan(0.85);
        // The measure tells speakers apart: no turn matches another speaker's speech that well.
        for (const [k, turn] of speech.entries()) {
          for (const [j, other] of speech.entries()) {
            const longer = other.length >= turn.length ? other : Float64Array.from([...other, ...new Float64Array(turn.length)]);
            if (j !== k) expect(bestMatch(turn, longer), `${TURNS[k]!.speaker} vs ${TURNS[j]!.speaker}`).toBeLessThan(0.6);
          }
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});

describe.skipIf(missing.length > 0 && process.env.CI === undefined)('speechMixer live: GStreamer senders in turn, one output', () => {
  /**
   * Three speakers one after the other, never overlapping, sent by the README's sender into `npm run rtp-demo` with
   * `mixerFlag`; the README's receiver decodes the output. Every line carries its own background noise, as real
   * microphones do, except the first, whose sender sends digital silence between words. Returns the pins the server
   * counted, and per turn how well its loudness contour matches the decoded output.
   */
  async function live(mixerFlag: string): Promise<{ pins: number; turns: number; matches: number[] }> {
    const { server, sender, receiver } = readmeCommands();
    const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-live-'));
    try {
      const turns = TURNS.slice(0, 3).map((turn, k) => ({ ...turn, startMs: 500 + k * 4000 }));
      const noise = [0, 0.008, 0.004];
      const totalMs = 13_000;
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const speech = turns.map((turn, k) => {
        const samples = speak(turn, folder);
        const padded = new Int16Array(Math.round((totalMs / 1000) * SAMPLE_RATE));
        for (let i = 0; i < padded.length; i++) padded[i] = Math.round(random() * noise[k]! * 32767);
        const at = Math.round((turn.startMs / 1000) * SAMPLE_RATE);
        for (let i = 0; i < samples.length && at + i < padded.length; i++) {
          padded[at + i] = Math.max(-32768, Math.min(32767, padded[at + i]! + samples[i]!));
        }
        writeSamples(join(folder, `${turn.speaker}.wav`), padded, SAMPLE_RATE);
        return envelope(samples, SAMPLE_RATE);
      });
      const mixerPort = await freePorts(1);
      const listenerPort = await freePorts(1);
      const mixer = start(
        server
          .replace('--port 5004', `--port ${mixerPort}`)
          .replace('--outputs 3', `--outputs 1${mixerFlag}`)
          .replace('127.0.0.1:6000', `127.0.0.1:${listenerPort}`),
      );
      children.push(mixer);
      const output = join(folder, 'output-0.wav');
      const listener = start(
        receiver
          .replace('gst-launch-1.0 ', 'gst-launch-1.0 -e ')
          .replace('port=6000', `port=${listenerPort}`)
          .replace('autoaudiosink', `audioconvert ! audio/x-raw,format=S16LE ! wavenc ! filesink location=${output}`),
      );
      children.push(listener);
      await listening(mixer);
      await bound([listenerPort]);
      const senders = turns.map((turn) => {
        const child = start(
          sender
            .replace('location=alice.wav', `location=${join(folder, `${turn.speaker}.wav`)}`)
            .replace('port=5004', `port=${mixerPort}`),
        );
        children.push(child);
        return child;
      });
      expect(await Promise.all(senders.map((child) => exited(child, 60_000)))).toStrictEqual([0, 0, 0]);
      await settled(mixer, statsLines(mixer)); // the pins counted are those of every packet
      await drained([listenerPort]);
      interrupt(listener);
      await exited(listener, 10_000);
      interrupt(mixer);
      await exited(mixer, 10_000);
      const pins = Number([...mixer.output().matchAll(/pins per output \[(\d+)\]/g)].at(-1)?.[1]);
      const { samples, rate } = readSamples(output);
      const heard = envelope(samples, rate);
      return { pins, turns: turns.length, matches: speech.map((turn) => bestMatch(turn, heard)) };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it(
    'needs no more pins than turns (plus the first), and every turn is in the decoded output; audioMixer flaps',
    { timeout: 180_000 },
    async () => {
      expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
      const speech = await live('');
      console.log(`speechMixer live: ${speech.pins} pins for ${speech.turns} turns; matches ${speech.matches.join(', ')}`);
      expect(speech.pins).toBeGreaterThan(0);
      expect(speech.pins).toBeLessThanOrEqual(speech.turns + 1);
      for (const [k, match] of speech.matches.entries()) expect(match, `turn ${k}`).toBeGreaterThan(0.85);
      // The same senders into the plain audioMixer: in the first speaker's pauses (digital silence), another line's
      // background takes the output, and the speaker takes it back on the next word.
      const audio = await live(' --mixer audio');
      console.log(`audioMixer live: ${audio.pins} pins for ${audio.turns} turns`);
      expect(audio.pins).toBeGreaterThan(speech.turns + 1);
    },
  );
});
