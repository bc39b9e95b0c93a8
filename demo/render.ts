/** What the demo writes: a WAV per output, the listener's mix, the events, and a picture of the session. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { wavBytes, type RoomTruth } from './room.js';
import { PACKET_MS, PACKET_SAMPLES, type TimedOutputEvent, type TimedSourceEvent } from './session.js';

/** One track per output: the packets it forwarded, where they belong in time; silence where it forwarded none. */
export function outputTracks(
  outputs: number,
  heard: readonly TimedOutputEvent[],
  totalSamples: number,
): Float32Array[] {
  const tracks = Array.from({ length: outputs }, () => new Float32Array(totalSamples));
  for (const { event } of heard) {
    if (event.type !== 'output-pkt') continue;
    const track = tracks[event.output];
    if (track === undefined || event.data.start >= totalSamples) continue;
    track.set(event.data.pcm.subarray(0, Math.min(PACKET_SAMPLES, totalSamples - event.data.start)), event.data.start);
  }
  return tracks;
}

/** The sum of the output tracks, with a soft knee above 0.9 so that overlapping speakers never clip. */
export function mixDown(tracks: readonly Float32Array[]): Float32Array {
  const mixed = new Float32Array(tracks[0]?.length ?? 0);
  for (const track of tracks) for (let i = 0; i < track.length; i++) mixed[i] = (mixed[i] ?? 0) + (track[i] ?? 0);
  for (let i = 0; i < mixed.length; i++) {
    const x = mixed[i] ?? 0;
    const magnitude = Math.abs(x);
    if (magnitude > 0.9) mixed[i] = Math.sign(x) * (0.9 + 0.099 * Math.tanh((magnitude - 0.9) / 0.099));
  }
  return mixed;
}

/** Every output event with its time, one JSON object per line (packets without their PCM). */
export function eventsJsonl(heard: readonly TimedOutputEvent[]): string {
  return heard
    .map(({ time, event }) =>
      JSON.stringify(
        event.type === 'output-pkt'
          ? {
              time,
              type: event.type,
              output: event.output,
              source: event.source,
              level: event.level,
              packet: event.data.index,
            }
          : { time, ...event },
      ),
    )
    .join('\n')
    .concat('\n');
}

/** The timeline as SVG, drawn by Vega-Lite: levels per source, who speaks (if known), and who holds each output. */
export async function timelineSvg(
  inputs: readonly TimedSourceEvent[],
  heard: readonly TimedOutputEvent[],
  endMs: number,
  truth?: RoomTruth,
): Promise<string> {
  const levels = inputs
    .filter(({ event }) => event.type === 'source-pkt' && event.data.index % 2 === 0)
    .map(({ event }) => ({
      source: event.source,
      seconds: event.type === 'source-pkt' ? (event.data.index * PACKET_MS) / 1000 : 0,
      level: event.type === 'source-pkt' ? event.level : 0,
    }));
  const holds: { output: string; source: string; from: number; to: number }[] = [];
  const open = new Map<number, { source: string; from: number }>();
  for (const { time, event } of heard) {
    if (event.type === 'output-pin') open.set(event.output, { source: event.source, from: time / 1000 });
    else if (event.type === 'output-unpin') {
      const hold = open.get(event.output);
      if (hold !== undefined)
        holds.push({ output: `output ${event.output}`, source: hold.source, from: hold.from, to: time / 1000 });
      open.delete(event.output);
    }
  }
  const speech = (truth?.speakers ?? []).flatMap((s) =>
    s.speechMs.map(([a, b]) => ({ source: s.name, from: a / 1000, to: b / 1000 })),
  );
  const x = { scale: { domain: [0, endMs / 1000] }, title: 'time (s)' };
  const color = { field: 'source', type: 'nominal' as const, legend: { title: 'source' } };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'rx-audio-mixer demo: who was heard when',
    vconcat: [
      {
        title: 'RFC 6464 level of each packet (dBov)',
        width: 900,
        height: 180,
        data: { values: levels },
        mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', ...x },
          y: { field: 'level', type: 'quantitative', scale: { domain: [-80, 0] }, title: 'dBov' },
          color,
        },
      },
      ...(speech.length === 0
        ? []
        : [
            {
              title: 'who speaks (ground truth)',
              width: 900,
              height: 20 * new Set(speech.map((s) => s.source)).size,
              data: { values: speech },
              mark: { type: 'bar' as const },
              encoding: {
                x: { field: 'from', type: 'quantitative' as const, ...x },
                x2: { field: 'to' },
                y: { field: 'source', type: 'nominal' as const, title: null },
                color,
              },
            },
          ]),
      {
        title: 'who holds each output',
        width: 900,
        height: 30 * Math.max(1, new Set(holds.map((h) => h.output)).size),
        data: { values: holds },
        mark: { type: 'bar', cornerRadius: 2 },
        encoding: {
          x: { field: 'from', type: 'quantitative', ...x },
          x2: { field: 'to' },
          y: { field: 'output', type: 'nominal', title: null },
          color,
          tooltip: [{ field: 'source' }, { field: 'from' }, { field: 'to' }],
        },
      },
    ],
    resolve: { scale: { color: 'shared' } },
    config: { font: 'sans-serif' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes everything into `folder`; returns the paths written. */
export async function writeOutputs(
  folder: string,
  outputs: number,
  inputs: readonly TimedSourceEvent[],
  heard: readonly TimedOutputEvent[],
  endMs: number,
  totalSamples: number,
  truth?: RoomTruth,
): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  // Output tracks of an earlier run with more outputs would be mistaken for this one's.
  for (const name of readdirSync(folder)) if (/^output-\d+\.wav$/.test(name)) rmSync(join(folder, name));
  const written: string[] = [];
  const write = (name: string, content: string | Uint8Array) => {
    const path = join(folder, name);
    writeFileSync(path, content);
    written.push(path);
  };
  const tracks = outputTracks(outputs, heard, totalSamples);
  tracks.forEach((track, output) => {
    write(`output-${output}.wav`, wavBytes(track));
  });
  write('mix.wav', wavBytes(mixDown(tracks)));
  write('events.jsonl', eventsJsonl(heard));
  write('timeline.svg', await timelineSvg(inputs, heard, endMs, truth));
  return written;
}
