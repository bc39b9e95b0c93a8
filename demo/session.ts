/**
 * The demo's session: cut tracks into 20 ms packets with their RFC 6464 levels, interleave them by time as a server
 * would receive them, and run them through `audioMixer` in virtual time.
 */
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { audioMixer, audioLevel, speechMixer, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { SAMPLE_RATE, type Track } from './room.js';

export const PACKET_MS = 20;
export const PACKET_SAMPLES = (SAMPLE_RATE * PACKET_MS) / 1000;

/** What a packet carries through the mixer: its PCM, and where it sits in its track. */
export interface PacketData {
  readonly index: number;
  /** First sample of the packet in its track. */
  readonly start: number;
  readonly pcm: Float32Array;
}

export interface TimedSourceEvent {
  /** Arrival time at the server, ms. */
  readonly time: number;
  readonly event: SourceEvent<string, PacketData>;
}

export interface TimedOutputEvent {
  readonly time: number;
  readonly event: OutputEvent<string, PacketData>;
}

/**
 * Cuts each track into 20 ms packets (the last one padded with silence) with their levels, and interleaves all
 * packets by arrival time. Packet k of track i arrives at k * 20 ms plus i ms, the spread of a real server's input.
 */
export function packetize(tracks: readonly Track[]): TimedSourceEvent[] {
  const events: TimedSourceEvent[] = [];
  tracks.forEach((track, i) => {
    const count = Math.ceil(track.samples.length / PACKET_SAMPLES);
    for (let index = 0; index < count; index++) {
      const start = index * PACKET_SAMPLES;
      const pcm = new Float32Array(PACKET_SAMPLES);
      pcm.set(track.samples.subarray(start, start + PACKET_SAMPLES));
      events.push({
        time: index * PACKET_MS + (i % PACKET_MS),
        event: { type: 'source-pkt', source: track.name, level: audioLevel(pcm), data: { index, start, pcm } },
      });
    }
  });
  // Stable: packets of the same instant keep the order of the tracks.
  return events.sort((a, b) => a.time - b.time);
}

export interface MixOptions {
  /** `speechMixer` (the default) or the plain `audioMixer`. */
  readonly mixer?: 'speech' | 'audio' | undefined;
  readonly outputs: number;
  readonly threshold?: number | undefined;
  readonly timeout?: number | undefined;
  /** Called as virtual time advances, with the time reached. */
  readonly onProgress?: ((time: number) => void) | undefined;
}

/** Runs the packets through `speechMixer` (or `audioMixer`) in virtual time: 20 s of audio take a fraction of a second. */
export function mix(events: readonly TimedSourceEvent[], endMs: number, options: MixOptions): TimedOutputEvent[] {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const room = new Subject<SourceEvent<string, PacketData>>();
  const heard: TimedOutputEvent[] = [];
  room
    .pipe(
      (options.mixer === 'audio' ? audioMixer<string, PacketData> : speechMixer<string, PacketData>)({
        outputs: options.outputs,
        threshold: options.threshold,
        timeout: options.timeout,
        scheduler,
      }),
    )
    .subscribe((event) => heard.push({ time: scheduler.now(), event }));
  for (const { time, event } of events) {
    scheduler.schedule(() => {
      room.next(event);
    }, time);
  }
  if (options.onProgress !== undefined) {
    const report = options.onProgress;
    for (let time = 0; time <= endMs; time += 500)
      scheduler.schedule(() => {
        report(time);
      }, time);
  }
  scheduler.schedule(() => {
    room.complete();
  }, endMs);
  scheduler.flush();
  return heard;
}
