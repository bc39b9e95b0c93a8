/**
 * The demo's command line, as a function of its arguments, so that tests can run it: mixes a room of speakers with
 * `speechMixer` (or `audioMixer`) in virtual time, prints a report, and writes what the listener heard.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { DEFAULT_THRESHOLD, SPEECH_DEFAULTS } from 'rx-audio-mixer';
import { makeReport, formatReport } from './report.js';
import { readRoom, readTrack, UserError, type RoomTruth, type Track } from './room.js';
import { writeOutputs } from './render.js';
import { mix, packetize, PACKET_MS } from './session.js';

export const DEFAULT_ROOM = fileURLToPath(new URL('./room/room.json', import.meta.url));

const USAGE = `usage: npm run demo -- [options] [a.wav b.wav ...]

Mixes a room of speakers (48 kHz mono WAV files, one per source; with none, the default room in demo/room/)
and writes what the listener hears.

options:
  --outputs N      output tracks (default 2)
  --mixer NAME     speech (speechMixer: levels above each source's noise floor, a 200 ms hold; the default) or
                   audio (the plain audioMixer)
  --threshold DB   how much louder a waiting source must be to take an output (default 15 for speech, 30 for audio)
  --timeout MS     silence after which a source is dropped (default 1000)
  --out DIR        where to write (default ./demo-out)
  --truth FILE     who speaks when, as demo/room/room.json (default: the default room's, for the default room)
  --help           this text`;

export interface Io {
  log(line: string): void;
  error(line: string): void;
  /** Whether to draw a progress bar. */
  readonly interactive: boolean;
}

function numberOption(
  name: string,
  text: string | undefined,
  fallback: number,
  valid: (n: number) => boolean,
  rule: string,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !valid(value)) throw new UserError(`--${name} must be ${rule}, got ${text}`);
  return value;
}

/** Runs the demo; returns the process exit code. User errors end with one line on `io.error`, never a stack. */
export async function runDemo(args: readonly string[], io: Io): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          outputs: { type: 'string' },
          mixer: { type: 'string' },
          threshold: { type: 'string' },
          timeout: { type: 'string' },
          out: { type: 'string' },
          truth: { type: 'string' },
          help: { type: 'boolean' },
        },
      });
    } catch (error) {
      throw new UserError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      io.log(USAGE);
      return 0;
    }
    const outputs = numberOption('outputs', values.outputs, 2, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
    const mixer = values.mixer ?? 'speech';
    if (mixer !== 'speech' && mixer !== 'audio') throw new UserError(`--mixer must be speech or audio, got ${mixer}`);
    const threshold = numberOption(
      'threshold',
      values.threshold,
      mixer === 'speech' ? SPEECH_DEFAULTS.threshold : DEFAULT_THRESHOLD,
      (n) => Number.isFinite(n) && n >= 0,
      'a number of dB >= 0',
    );
    const timeout = numberOption(
      'timeout',
      values.timeout,
      1000,
      (n) => Number.isFinite(n) && n > 0,
      'a number of ms > 0',
    );
    const out = resolve(values.out ?? 'demo-out');

    let tracks: Track[];
    let truth: RoomTruth | undefined;
    if (positionals.length === 0) {
      ({ tracks, truth } = readRoom(values.truth ?? DEFAULT_ROOM));
    } else {
      tracks = positionals.map(readTrack);
      const names = new Set(tracks.map((t) => t.name));
      if (names.size !== tracks.length) throw new UserError('two files have the same name; each source needs its own');
      if (values.truth !== undefined) truth = readRoom(values.truth).truth;
    }
    if (tracks.length === 0) throw new UserError('no sources to mix');

    const totalSamples = Math.max(...tracks.map((t) => t.samples.length));
    const endMs = Math.ceil((totalSamples / 48_000) * 1000) + PACKET_MS;
    const inputs = packetize(tracks);
    const bar = io.interactive
      ? new cliProgress.SingleBar(
          { format: 'mixing [{bar}] {value}/{total} ms of audio', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    bar?.start(endMs, 0);
    const heard = mix(inputs, endMs, { mixer, outputs, threshold, timeout, onProgress: (time) => bar?.update(time) });
    bar?.update(endMs);
    bar?.stop();
    const report = makeReport(inputs, heard, endMs, truth);
    const written = await writeOutputs(out, outputs, inputs, heard, endMs, totalSamples, truth);

    io.log(
      `${tracks.length} sources, ${outputs} outputs, ${mixer === 'speech' ? `speechMixer, hold ${SPEECH_DEFAULTS.minHold} ms` : 'audioMixer'}, threshold ${threshold} dB, timeout ${timeout} ms, ${(endMs / 1000).toFixed(1)} s of audio`,
    );
    io.log('');
    io.log(formatReport(report));
    io.log('');
    io.log(`wrote ${written.length} files to ${out}:`);
    for (const path of written) io.log(`  ${path}`);
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      io.error(`demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
