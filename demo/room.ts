/** A room for the demo: one WAV file per source, and optionally who speaks when. */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import wavefile from 'wavefile';

// wavefile is CommonJS: its class comes on the default export.
const { WaveFile } = wavefile;

export const SAMPLE_RATE = 48_000;

/** The ground truth of a room: `room.json` beside its WAV files. */
export interface RoomTruth {
  readonly sampleRate: number;
  readonly durationMs: number;
  readonly speakers: readonly {
    readonly name: string;
    readonly file: string;
    readonly role: 'talker' | 'leaves-early' | 'background';
    /** Speech intervals, [start, end) in ms from the start of the room. */
    readonly speechMs: readonly (readonly [number, number])[];
  }[];
}

export interface Track {
  readonly name: string;
  readonly file: string;
  /** Mono PCM, floats in -1..1. */
  readonly samples: Float32Array;
}

/** A mistake of the user's (a file, an option): the demo prints `message` alone and exits non-zero. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Reads a 48 kHz mono WAV file with wavefile; any other rate or channel count is the user's error. */
export function readTrack(file: string): Track {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? 'error'})`);
  }
  let wav: InstanceType<typeof WaveFile>;
  try {
    wav = new WaveFile(bytes);
  } catch {
    throw new UserError(`${file}: not a WAV file`);
  }
  const fmt = wav.fmt as { sampleRate: number; numChannels: number };
  if (fmt.numChannels !== 1) throw new UserError(`${file}: has ${fmt.numChannels} channels; the demo needs mono`);
  if (fmt.sampleRate !== SAMPLE_RATE)
    throw new UserError(`${file}: is ${fmt.sampleRate} Hz; the demo needs ${SAMPLE_RATE} Hz`);
  return { name: basename(file).replace(/\.wav$/i, ''), file, samples: floatSamples(wav) };
}

/** The samples as floats. wavefile parses the file; 16-bit PCM (the common case) is read straight from its bytes, as
 * wavefile's generic conversion takes seconds for a few files of 20 s. */
function floatSamples(wav: InstanceType<typeof WaveFile>): Float32Array {
  const bytes = (wav.data as { samples: Uint8Array }).samples;
  if (wav.bitDepth === '16' && (wav.fmt as { audioFormat: number }).audioFormat === 1) {
    const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
    const pcm = new Int16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
    return Float32Array.from(pcm, (x) => x / 32768);
  }
  wav.toBitDepth('32f');
  return wav.getSamples(false, Float32Array) as unknown as Float32Array;
}

/** Writes mono float PCM as a 16-bit 48 kHz WAV file's bytes. */
export function wavBytes(samples: Float32Array): Uint8Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i] ?? 0));
    pcm[i] = Math.round(x < 0 ? x * 32768 : x * 32767);
  }
  // wavefile writes the header; the PCM bytes go in as they are (its own packing gives the same bytes, slowly).
  const wav = new WaveFile();
  wav.fromScratch(1, SAMPLE_RATE, '16', []);
  const data = wav.data as { samples: Uint8Array; chunkSize: number };
  data.samples = new Uint8Array(pcm.buffer);
  data.chunkSize = pcm.byteLength;
  return wav.toBuffer();
}

/** Reads a room's ground truth and its tracks. */
export function readRoom(truthFile: string): { truth: RoomTruth; tracks: Track[] } {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as RoomTruth;
  const folder = dirname(truthFile);
  const tracks = truth.speakers.map((speaker) => ({ ...readTrack(resolve(folder, speaker.file)), name: speaker.name }));
  return { truth, tracks };
}
