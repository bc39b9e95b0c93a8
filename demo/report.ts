/** The numbers the demo reports: per source, and against the ground truth of who speaks when. */
import type { RoomTruth } from './room.js';
import { PACKET_MS, type TimedOutputEvent, type TimedSourceEvent } from './session.js';

export interface SourceStats {
  readonly source: string;
  readonly packetsIn: number;
  readonly packetsForwarded: number;
  readonly pinnedMs: number;
  /** How many times the source was given an output. */
  readonly pins: number;
}

export interface TruthStats {
  /** Share of the speech packets (by the ground truth) that reached the listener. */
  readonly speechHeard: number;
  /** Per onset of speech: ms from the onset to the speaker's first forwarded packet (capped at the turn's length). */
  readonly onsetLossMs: readonly number[];
  readonly meanOnsetLossMs: number;
}

export interface Report {
  readonly sources: readonly SourceStats[];
  /** An output passing from one source to another, per minute. */
  readonly switchesPerMinute: number;
  readonly truth?: TruthStats | undefined;
}

export function makeReport(
  inputs: readonly TimedSourceEvent[],
  outputs: readonly TimedOutputEvent[],
  endMs: number,
  truth?: RoomTruth,
): Report {
  const names = [...new Set(inputs.map((i) => i.event.source))];
  const forwarded = new Map<string, Set<number>>(names.map((n) => [n, new Set()]));
  const pinnedSince = new Map<string, number>();
  const pinnedMs = new Map<string, number>();
  const pins = new Map<string, number>();
  const lastUnpin = new Map<number, number>();
  let switches = 0;
  for (const { time, event } of outputs) {
    if (event.type === 'output-pkt') forwarded.get(event.source)?.add(event.data.index);
    else if (event.type === 'output-pin') {
      pinnedSince.set(event.source, time);
      pins.set(event.source, (pins.get(event.source) ?? 0) + 1);
      // An output passing straight from one source to another.
      if (lastUnpin.get(event.output) === time) switches++;
    } else {
      lastUnpin.set(event.output, time);
      pinnedMs.set(event.source, (pinnedMs.get(event.source) ?? 0) + time - (pinnedSince.get(event.source) ?? time));
      pinnedSince.delete(event.source);
    }
  }
  const sources = names.map((source) => ({
    source,
    packetsIn: inputs.filter((i) => i.event.source === source).length,
    packetsForwarded: forwarded.get(source)?.size ?? 0,
    pinnedMs: pinnedMs.get(source) ?? 0,
    pins: pins.get(source) ?? 0,
  }));
  return {
    sources,
    switchesPerMinute: (switches * 60_000) / endMs,
    truth: truth === undefined ? undefined : truthStats(truth, forwarded),
  };
}

function truthStats(truth: RoomTruth, forwarded: Map<string, Set<number>>): TruthStats {
  let speech = 0;
  let heard = 0;
  const onsetLossMs: number[] = [];
  for (const speaker of truth.speakers) {
    const got = forwarded.get(speaker.name) ?? new Set<number>();
    for (const [start, end] of speaker.speechMs) {
      const first = Math.floor(start / PACKET_MS);
      const last = Math.ceil(end / PACKET_MS);
      let firstHeard: number | undefined;
      for (let index = first; index < last; index++) {
        speech++;
        if (got.has(index)) {
          heard++;
          firstHeard ??= index;
        }
      }
      onsetLossMs.push(firstHeard === undefined ? end - start : Math.max(0, firstHeard * PACKET_MS - start));
    }
  }
  const meanOnsetLossMs = onsetLossMs.length === 0 ? 0 : onsetLossMs.reduce((a, b) => a + b, 0) / onsetLossMs.length;
  return { speechHeard: speech === 0 ? 1 : heard / speech, onsetLossMs, meanOnsetLossMs };
}

/** The report as the terminal shows it. */
export function formatReport(report: Report): string {
  const header = ['source', 'packets in', 'forwarded', 'pinned (s)', 'pins'];
  const rows = report.sources.map((s) => [
    s.source,
    String(s.packetsIn),
    String(s.packetsForwarded),
    (s.pinnedMs / 1000).toFixed(1),
    String(s.pins),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const lines = [line(header), ...rows.map(line), ''];
  lines.push(`switches per minute: ${report.switchesPerMinute.toFixed(1)}`);
  if (report.truth !== undefined) {
    lines.push(`speech that reached the listener: ${(100 * report.truth.speechHeard).toFixed(1)}%`);
    lines.push(
      `speech lost at onsets: ${report.truth.meanOnsetLossMs.toFixed(0)} ms on average over ${report.truth.onsetLossMs.length} turns (worst ${Math.max(0, ...report.truth.onsetLossMs)} ms)`,
    );
  }
  return lines.join('\n');
}
