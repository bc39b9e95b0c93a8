/**
 * Reads the RTP fixtures in `test/fixtures/rtp/` (see its README for how they were made): real GStreamer captures of
 * a four-speaker conversation with per-packet ground truth.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'pcap-parser';

export const fixtureFolder = fileURLToPath(new URL('./fixtures/rtp/', import.meta.url));

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

/** One captured UDP datagram: its capture time (µs since the first) and its payload. */
export interface Datagram {
  t_us: number;
  payload: Uint8Array;
}

/** Reads the UDP payloads of a capture with pcap-parser (link type Ethernet, IPv4, UDP, as the fixture README says). */
export async function readDatagrams(capture: string): Promise<Datagram[]> {
  const parser = parse(`${fixtureFolder}${capture}.pcap`);
  const datagrams: Datagram[] = [];
  let first: number | undefined;
  return new Promise((resolve, reject) => {
    parser.on('packet', (packet) => {
      const frame = packet.data;
      const ipHeader = ((frame[14] ?? 0) & 0x0f) * 4;
      const udp = 14 + ipHeader;
      const udpLength = ((frame[udp + 4] ?? 0) << 8) | (frame[udp + 5] ?? 0);
      const time = packet.header.timestampSeconds * 1e6 + packet.header.timestampMicroseconds;
      first ??= time;
      datagrams.push({ t_us: time - first, payload: Uint8Array.from(frame.subarray(udp + 8, udp + udpLength)) });
    });
    parser.on('end', () => {
      resolve(datagrams);
    });
    parser.on('error', reject);
  });
}
