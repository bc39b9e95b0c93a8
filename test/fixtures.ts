/**
 * Reads the shared RTP fixtures (`../shared/fixtures/rtp/`, beside the repository, in CI too): real GStreamer
 * captures of a four-speaker conversation with per-packet ground truth.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixtureFolder = fileURLToPath(new URL('../../shared/fixtures/rtp/', import.meta.url));

/** One line of a `<capture>.jsonl` ground truth file (a valid packet). */
export interface PacketTruth {
  i: number;
  t_us: number;
  ssrc: number;
  seq: number;
  ts: number;
  marker: boolean;
  level: number | null;
  vad: boolean | null;
  payload_len: number;
}

export interface Speaker {
  name: string;
  ssrc: number;
  speech_ms: [number, number][];
  stream_end_ms: number;
}

export function readTruth(capture: string): PacketTruth[] {
  return readFileSync(`${fixtureFolder}${capture}.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PacketTruth);
}

export function readSpeakers(): Speaker[] {
  const speech = JSON.parse(readFileSync(`${fixtureFolder}speech.json`, 'utf8')) as { speakers: Speaker[] };
  return speech.speakers;
}
