// Real GStreamer senders for the live tests and for `scripts/recordLive.ts`: the documentation's commands, espeak-ng
// speakers, the senders' silences (digital silence, dither, a hum), processes, and the conditions the tests wait on
// (with test/waitFor.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { DEFAULT_TIMEOUT } from 'rx-audio-mixer';
import { allText, root } from './documents.js';
import { waitFor } from './waitFor.js';

export const TOOLS = ['gst-launch-1.0', 'espeak-ng'];
export const INSTALL =
  'apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad espeak-ng';
/** The tools of {@link TOOLS} that are not installed; outside CI, says that `what` is skipped for want of them. */
export function missingTools(what: string): string[] {
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0 && process.env.CI === undefined) {
    console.warn(`skipping ${what}: ${missing.join(' and ')} not installed (${INSTALL})`);
  }
  return missing;
}

/**
 * The documentation's commands (`npm run rtp-demo`, the GStreamer sender and receiver), taken from its text (README
 * and docs/, today docs/rtp.md).
 */
export function readmeCommands() {
  const text = allText();
  const server = /^npm run rtp-demo -- .*$/m.exec(text)?.[0];
  const sender = /^```sh\n(gst-launch-1\.0 filesrc[\s\S]*?)^```$/m.exec(text)?.[1]?.trim();
  const receiver = /`(gst-launch-1\.0 udpsrc [^`]*)`/.exec(text)?.[1];
  if (server === undefined || sender === undefined || receiver === undefined) {
    throw new Error('the documentation no longer has the rtp-demo, sender and receiver commands');
  }
  return { server, sender, receiver };
}

/** The documented sender, reading `file` and sending to `port` on loopback. */
export function senderCommand(file: string, port: number): string {
  return readmeCommands()
    .sender.replace('location=alice.wav', `location=${file}`)
    .replace('port=5004', `port=${port}`);
}

/** A free UDP port on loopback with `count` free ports after it, every second one (the listener's port + 2k). */
export async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 10000);
    const sockets = Array.from({ length: count }, () => createSocket('udp4'));
    const bound = await Promise.all(
      sockets.map(
        (socket, k) =>
          new Promise<boolean>((resolve) => {
            socket.once('error', () => {
              resolve(false);
            });
            socket.bind(base + 2 * k, '127.0.0.1', () => {
              resolve(true);
            });
          }),
      ),
    );
    await Promise.all(
      sockets.map((socket) =>
        new Promise<void>((resolve) => {
          socket.close(() => {
            resolve();
          });
        }),
      ),
    );
    if (bound.every(Boolean)) return base;
  }
  throw new Error('no free UDP ports on loopback');
}

export interface Turn {
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

/**
 * The live room: three speakers in turn, about 4 s each, never overlapping, in 15 s; they pause between phrases, as
 * people do (and as the documentation's four turns above hardly do).
 */
export const LIVE_TURNS: Turn[] = [
  'Well, good morning, all. So, shall we begin, then?',
  'Yes. The numbers, frankly, look better, I think.',
  'Right, but the travel costs, again, are high.',
].map((text, k) => ({ ...TURNS[k]!, text, startMs: 500 + k * 4800 }));
export const LIVE_MS = 15_000;

export const SAMPLE_RATE = 22050; // espeak-ng's own rate: the sender pipeline resamples to 48 kHz

/**
 * What a sender sends when its speaker is silent (and under the speech): nothing but zeros (GStreamer's `level`
 * reads them as a steady -59 dBov), dither of one bit (TPDF, about -96 dBov) or a 100 Hz hum at -60 dBov.
 */
export type Silence = 'digital' | 'dither' | 'hum';

/** Speaks a turn with espeak-ng; returns its samples (16-bit mono, {@link SAMPLE_RATE}). */
export function speak(turn: Turn, folder: string): Int16Array {
  const file = join(folder, `${turn.speaker}-speech.wav`);
  const result = spawnSync('espeak-ng', ['-v', turn.voice, '-s', '165', '-w', file, turn.text]);
  if (result.status !== 0) throw new Error(`espeak-ng failed: ${String(result.stderr)}`);
  return readSamples(file).samples;
}

/**
 * A sender's track: `silence` for `totalMs`, with the turn's speech added from its start. Deterministic (the dither
 * comes from a seeded generator). Returns the speech interval, in ms of the track.
 */
export function senderTrack(
  speech: Int16Array,
  turn: Turn,
  silence: Silence,
  totalMs: number,
  seed: number,
): { samples: Int16Array; speechMs: [number, number] } {
  const samples = new Int16Array(Math.round((totalMs / 1000) * SAMPLE_RATE));
  let state = seed >>> 0;
  const uniform = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const hum = 10 ** (-60 / 20) * Math.SQRT2 * 32767;
  for (let i = 0; i < samples.length; i++) {
    if (silence === 'dither') samples[i] = Math.round(uniform() + uniform() - 1);
    else if (silence === 'hum') samples[i] = Math.round(hum * Math.sin((2 * Math.PI * 100 * i) / SAMPLE_RATE));
  }
  const at = Math.round((turn.startMs / 1000) * SAMPLE_RATE);
  let first = -1;
  let last = -1;
  for (let i = 0; i < speech.length && at + i < samples.length; i++) {
    const s = speech[i]!;
    if (s !== 0) {
      if (first < 0) first = i;
      last = i;
    }
    samples[at + i] = Math.max(-32768, Math.min(32767, samples[at + i]! + s));
  }
  const ms = (i: number) => Math.round(((at + i) / SAMPLE_RATE) * 1000);
  return { samples, speechMs: [ms(first), ms(last + 1)] };
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

export type Process = ChildProcess & { output: () => string };

/** Starts a shell command in its own process group, collecting its output. */
export function start(command: string): Process {
  const child = spawn('bash', ['-c', command], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

/** Resolves with the exit code once `child` has exited; fails after `ms`, with its output. */
export async function exited(child: ChildProcess, ms: number): Promise<number | null> {
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, {
    timeout: ms,
    what: () => `${child.spawnargs.join(' ')} to exit\n${'output' in child ? (child as Process).output() : ''}`,
  });
  return child.exitCode;
}

/** Sends SIGINT to the process group of `child`. */
export function interrupt(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
}

/** Kills every process group of `children` still running (a test's afterAll). */
export function killAll(children: readonly ChildProcess[]): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
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

/** Until the receiver pipelines have bound their ports (they then keep what arrives until they play). */
export async function bound(ports: readonly number[]): Promise<void> {
  await waitFor(() => ports.every((port) => udpQueues().has(port)), {
    timeout: 30_000,
    what: () => `the receivers to bind ports ${ports.join(', ')}`,
  });
}

/** Until the receivers have read every datagram that reached their ports. */
export async function drained(ports: readonly number[]): Promise<void> {
  await waitFor(() => ports.every((port) => udpQueues().get(port) === 0), {
    timeout: 30_000,
    what: () =>
      `the receivers to read what reached them (${ports.map((port) => `${port}: ${udpQueues().get(port)} bytes`).join(', ')})`,
  });
}

/** Until rtp-demo prints its address. */
export async function listening(mixer: Process): Promise<void> {
  await waitFor(() => mixer.output().includes('mixing RTP from') || mixer.exitCode !== null, {
    timeout: 30_000,
    what: () => `rtp-demo to start:\n${mixer.output()}`,
  });
  if (mixer.exitCode !== null) throw new Error(`rtp-demo ended:\n${mixer.output()}`);
}

/**
 * One of the stats lines `npm run rtp-demo` prints every second: packets received, the longest gap between two
 * packets of one sender so far (ms), pins per output so far.
 */
export interface Stats {
  readonly line: string;
  readonly received: number;
  readonly longestGapMs: number;
  readonly pins: number;
}

/** The stats lines rtp-demo has printed so far. */
export function stats(mixer: Process): Stats[] {
  return [
    ...mixer.output().matchAll(/^received (\d+) .*longest gap (\d+) ms, .*pins per output \[([\d, ]+)\]$/gm),
  ].map((match) => ({
    line: match[0],
    received: Number(match[1]),
    longestGapMs: Number(match[2]),
    pins: match[3]!.split(',').reduce((n, p) => n + Number(p), 0),
  }));
}

/**
 * Until rtp-demo has handled everything sent to it: two of its stats lines (one a second) printed after the first
 * `after` are alike, so nothing more arrives.
 */
export async function settled(mixer: Process, after: number): Promise<void> {
  const lines = () => stats(mixer).slice(after).map(({ line }) => line);
  await waitFor(
    () => {
      const seen = lines();
      return seen.length >= 2 && seen.at(-1) === seen.at(-2);
    },
    { timeout: 30_000, what: () => `rtp-demo to have handled every packet:\n${lines().join('\n')}` },
  );
}

/**
 * Starts one sender per command, in turn: each once the one before it plays (gst-launch prints `New clock` as its
 * pipeline starts playing). Their tracks then reach the mixer in order, each turn no closer to the one before it than
 * written, however long a pipeline takes to start on a loaded machine; started at once, a later sender that starts
 * faster moves its turn into the one before it.
 */
export async function startInTurn(commands: readonly string[], children: Process[]): Promise<Process[]> {
  const senders: Process[] = [];
  for (const command of commands) {
    const child = start(command);
    children.push(child);
    senders.push(child);
    await waitFor(() => child.output().includes('New clock') || child.exitCode !== null, {
      timeout: 30_000,
      what: () => `a sender to play: ${command}\n${child.output()}`,
    });
  }
  return senders;
}

/** What {@link mixLive} saw. */
export interface LiveMix {
  /**
   * The pins rtp-demo counted on all outputs while every sender still sent: once one stops, its source times out and
   * a refill pins another (rule 4), which is no switch between turns.
   */
  readonly pins: number;
  /**
   * The longest gap between two packets of one sender that rtp-demo read while every sender still sent (ms): at its
   * timeout (1 s) or more a source ends and a refill pins another, which is the machine stalling, not a switch.
   */
  readonly longestGapMs: number;
  /** The pins it counted in all, once every sender had stopped. */
  readonly pinsAtEnd: number;
  /** rtp-demo's output. */
  readonly log: string;
  /** Each output as the receiver decoded it. */
  readonly decoded: { samples: Int16Array; rate: number }[];
}

/**
 * What a failed count of pins says: the turns, and whether the server read a sender's packets a timeout or more apart
 * (its source then timed out and a refill pinned another: the machine stalled, not a rule).
 */
export function pinsFor(mix: LiveMix, turns: number): string {
  const stalled =
    mix.longestGapMs >= DEFAULT_TIMEOUT
      ? `; the server read one sender's packets ${mix.longestGapMs} ms apart, so its source timed out`
      : '';
  return `pins for ${turns} turns${stalled}`;
}

/**
 * Mixes `tracks` (WAV files, one per sender) through the documented commands: `npm run rtp-demo` on free loopback
 * ports (with `--outputs ${outputs}${flags}` for its `--outputs 3`), one receiver per output decoding into a WAV in
 * `folder`, and the senders started in turn ({@link startInTurn}). `lastTurnMs`: when the last turn begins in the
 * last track; it must begin more than a second (rtp-demo's counts come once a second) before the first track ends,
 * or the count would miss it. Every process started goes into `children`.
 */
export async function mixLive(
  tracks: readonly string[],
  options: { folder: string; outputs: number; flags?: string; lastTurnMs: number; children: Process[] },
): Promise<LiveMix> {
  const { folder, outputs, flags = '', lastTurnMs, children } = options;
  const { server, receiver } = readmeCommands();
  // One run of free ports for the mixer and the listener's outputs: two calls could each find the same one free.
  const mixerPort = await freePorts(1 + outputs);
  const listenerPort = mixerPort + 2;
  const command = server
    .replace('--port 5004', `--port ${mixerPort}`)
    .replace('--outputs 3', `--outputs ${outputs}${flags}`)
    .replace('127.0.0.1:6000', `127.0.0.1:${listenerPort}`);
  if (!command.includes(`--port ${mixerPort}`) || !command.includes(`127.0.0.1:${listenerPort}`)) {
    throw new Error(`the documented rtp-demo command no longer takes --port 5004 and 127.0.0.1:6000: ${server}`);
  }
  const mixer = start(command);
  children.push(mixer);
  const ports = Array.from({ length: outputs }, (_, k) => listenerPort + 2 * k);
  const files = ports.map((_, k) => join(folder, `output-${k}.wav`));
  const receivers = ports.map((port, k) => {
    const child = start(
      receiver
        .replace('gst-launch-1.0 ', 'gst-launch-1.0 -e ')
        .replace('port=6000', `port=${port}`)
        .replace('autoaudiosink', `audioconvert ! audio/x-raw,format=S16LE ! wavenc ! filesink location=${files[k]}`),
    );
    children.push(child);
    return child;
  });
  await listening(mixer);
  await bound(ports);
  const senders = await startInTurn(
    tracks.map((track) => senderCommand(track, mixerPort)),
    children,
  );
  // rtp-demo prints its counts every second; a source times out 1 s after its last packet, so the last line printed
  // before the first sender ends counts no refill.
  const lastPlaying = performance.now();
  await Promise.race(senders.map((child) => exited(child, 60_000)));
  const whileSending = stats(mixer).at(-1);
  const counted = performance.now() - lastPlaying - 1000;
  const codes = await Promise.all(senders.map((child) => exited(child, 60_000)));
  if (codes.some((code) => code !== 0)) throw new Error(`a sender failed:\n${senders.map((s) => s.output()).join('\n')}`);
  await settled(mixer, stats(mixer).length);
  await drained(ports);
  receivers.forEach(interrupt);
  await Promise.all(receivers.map((child) => exited(child, 10_000)));
  interrupt(mixer);
  await exited(mixer, 10_000); // npm passes the interrupt on to the demo, which closes its socket
  if (whileSending === undefined || counted < lastTurnMs + 500) {
    throw new Error(
      `the count while every sender sent covers ${Math.round(counted)} ms of the last track, not its last turn (from ${lastTurnMs} ms): the senders took too long to start\n${mixer.output()}`,
    );
  }
  return {
    pins: whileSending.pins,
    longestGapMs: whileSending.longestGapMs,
    pinsAtEnd: stats(mixer).at(-1)?.pins ?? Number.NaN,
    log: mixer.output(),
    decoded: files.map((file) => readSamples(file)),
  };
}
