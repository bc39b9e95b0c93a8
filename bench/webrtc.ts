/**
 * `npm run bench -- --webrtc`: what a werift SFU spends per forwarded packet, and how many participants of a
 * 3-output room one core serves.
 *
 * One Node process: P werift publishers, each on its own peer connection to a werift "server" peer; the server reads
 * each track with fromWeriftTrack, mixes the room with mixRoom (each participant a listener of 3 outputs, excluding
 * itself) and writes each listener's outputs with toWeriftTracks to 3 sendonly tracks on a second peer connection
 * per participant, which a listening werift peer receives. Publishers send Opus-sized packets every 20 ms with
 * levels; the loudest speaker changes every 2 s, so that outputs switch.
 *
 * Every segment of the server's path is synchronous in werift, and is timed with performance.now() around it, per
 * received packet (the rewrite and the send per packet written, times the copies per received packet):
 * - receive: werift's handling of one SRTP datagram from the ICE connection (SRTP decrypt, RTP parse, routing to the
 *   track), fromWeriftTrack's level read included; minus what follows below;
 * - mixer: mixRoom, from the source event to each listener's output event, minus what follows;
 * - rewrite: toWeriftTracks (the copy, numbering, level under the listener's id), minus the send;
 * - send: werift's MediaStreamTrack.writeRtp (its sender's header rewrite and extensions, SRTP encrypt, handing the
 *   datagram to the socket).
 * The cost of the clock itself (two readings per segment) is measured and taken out of the segments around it.
 * `--quick`: 4 participants for 2 s, nothing written; `--participants N`, `--seconds S` to change the run.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Observable, Subject, merge, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import { MediaStreamTrack, RtpHeader, RtpPacket, type RTCPeerConnection, type RTCRtpTransceiver } from 'werift';
import { mixRoom, SPEECH_DEFAULTS, type SourceEvent } from 'rx-audio-mixer';
import { audioLevelExtensionId, fromWeriftTrack, toWeriftTracks } from 'rx-audio-mixer/werift';
import { loopbackPeer, negotiate, publisher, type Publisher } from '../test/weriftPeers.js';

const quick = process.argv.includes('--quick');
const argument = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PARTICIPANTS = argument('--participants', quick ? 4 : 12);
const SECONDS = argument('--seconds', quick ? 2 : 20);
const WARMUP_SECONDS = quick ? 1 : 3;
const OUTPUTS = 3;
const PACKET_MS = 20;

/**
 * The time of each segment within the handling of one received datagram, ms; the segments nest (receive holds the
 * mixer, which holds each listener's rewrite, which holds the send), so each holds the time of those inside it.
 */
const current = { mixer: 0, rewrite: 0, send: 0, writes: 0, mixed: 0, rewritten: 0 };
let measuring = false;
/** Per received RTP datagram: the own time (µs) of each segment, and how many packets it was forwarded as. */
const samples = {
  receive: [] as number[],
  mixer: [] as number[],
  rewrite: [] as number[],
  send: [] as number[],
  writes: [] as number[],
};

/** An operator that adds the time of everything downstream of it, per event, to `current[segment]`. */
function timeDownstream<T>(segment: 'mixer' | 'rewrite'): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next(value) {
          if (!measuring) {
            subscriber.next(value);
            return;
          }
          const t0 = performance.now();
          subscriber.next(value);
          current[segment] += performance.now() - t0;
          if (segment === 'mixer') current.mixed++;
          else current.rewritten++;
        },
        error: (e: unknown) => {
          subscriber.error(e);
        },
        complete: () => {
          subscriber.complete();
        },
      }),
    );
}

/**
 * Takes the time of one received datagram's handling (`total`, ms) apart into its segments' own times, each without
 * the clock readings of the segments timed inside it (`clock`, ms a pair).
 */
function record(total: number): void {
  const { mixer, rewrite, send, writes, mixed, rewritten } = current;
  samples.receive.push((total - mixer - mixed * clock) * 1000);
  samples.mixer.push((mixer - rewrite - rewritten * clock) * 1000);
  samples.rewrite.push((rewrite - send - writes * clock) * 1000);
  samples.send.push(send * 1000);
  samples.writes.push(writes);
  reset();
}

function reset(): void {
  current.mixer = current.rewrite = current.send = current.writes = current.mixed = current.rewritten = 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The time of one pair of clock readings, ms (the median of 100 runs of 1000). */
function clockCost(): number {
  const runs: number[] = [];
  for (let r = 0; r < 100; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      performance.now();
      performance.now();
    }
    runs.push((performance.now() - t0) / 1000);
  }
  return median(runs);
}
let clock = 0;

interface Participant {
  name: string;
  publisher: Publisher;
  incoming: { pc: RTCPeerConnection; track: MediaStreamTrack; transceiver: RTCRtpTransceiver };
  tracks: MediaStreamTrack[];
  extensionId: number | undefined;
  /** Packets the participant's listening peer received. */
  received: { count: number };
}

const peers: RTCPeerConnection[] = [];
function peer(): RTCPeerConnection {
  const pc = loopbackPeer();
  peers.push(pc);
  return pc;
}

async function join(index: number): Promise<Participant> {
  const publishing = peer();
  const serverIn = peer();
  const pub = publisher(publishing, index);
  const incoming = new Promise<{ track: MediaStreamTrack; transceiver: RTCRtpTransceiver }>((resolve) => {
    serverIn.onRemoteTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => {
        resolve({ track, transceiver });
      });
    });
  });
  await negotiate(publishing, serverIn, 60_000);
  const serverOut = peer();
  const listening = peer();
  const tracks = Array.from({ length: OUTPUTS }, () => new MediaStreamTrack({ kind: 'audio' }));
  const senders = tracks.map((track) => serverOut.addTransceiver(track, { direction: 'sendonly' }));
  const received = { count: 0 };
  listening.onRemoteTransceiverAdded.subscribe((transceiver) => {
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => {
        received.count++;
      });
    });
  });
  await negotiate(serverOut, listening, 60_000);
  const { track, transceiver } = await incoming;
  // Time werift's handling of each datagram the server receives from this publisher (RTP only, not RTCP).
  const data = serverIn.iceTransports[0]!.connection.onData;
  const execute = data.execute;
  data.execute = (datagram: Buffer) => {
    const first = datagram[0] ?? 0;
    const second = datagram[1] ?? 0;
    // SRTP only: not STUN, DTLS or SRTCP.
    if (!measuring || first < 128 || first > 191 || (second >= 192 && second <= 223)) {
      execute(datagram);
      return;
    }
    reset();
    const t0 = performance.now();
    execute(datagram);
    record(performance.now() - t0);
  };
  return {
    name: `p${index}`,
    publisher: pub,
    incoming: { pc: serverIn, track, transceiver },
    tracks,
    extensionId: audioLevelExtensionId(senders[0]!),
    received,
  };
}

/** The level of participant `k` at packet `tick` while `speaker` speaks: -20, the others -55 to -70. */
function levelOf(k: number, speaker: number, tick: number): number {
  return k === speaker ? -20 : -55 - ((k * 7 + tick) % 16);
}

/**
 * The mixer and the rewrite alone, without werift or clock readings around each packet: the same room fed the same
 * levels from Subjects, listeners' tracks that drop what is written. µs per received packet, mixer alone and with the
 * rewrite.
 */
function offline(participants: number): { mixer: number; rewrite: number } {
  const measure = (withRewrite: boolean): number => {
    const inputs = Array.from({ length: participants }, () => new Subject<SourceEvent<string, RtpPacket>>());
    const room = mixRoom(merge(...inputs), {
      outputs: OUTPUTS,
      threshold: SPEECH_DEFAULTS.threshold,
      minHold: SPEECH_DEFAULTS.minHold,
    });
    const drop = { writeRtp: () => undefined };
    const subscriptions = inputs.map((_, i) => {
      const listener = room.listen({ exclude: [`p${i}`] });
      return (
        withRewrite ? listener.pipe(toWeriftTracks([drop, drop, drop], { extensionId: 2 })) : listener
      ).subscribe();
    });
    const packets = inputs.map(
      () => new RtpPacket(new RtpHeader({ sequenceNumber: 0, timestamp: 0, payloadType: 111 }), Buffer.alloc(60)),
    );
    // CPU time, not the wall clock: on a shared machine the process is preempted.
    const run = (rounds: number, from: number): number => {
      const t0 = process.cpuUsage();
      for (let tick = from; tick < from + rounds; tick++) {
        const speaker = Math.floor((tick * PACKET_MS) / 2000) % participants;
        for (let k = 0; k < participants; k++) {
          const data = packets[k]!;
          data.header.sequenceNumber = tick & 0xffff;
          data.header.timestamp = (tick * 960) >>> 0;
          inputs[k]!.next({ type: 'source-pkt', source: `p${k}`, level: levelOf(k, speaker, tick), data });
        }
      }
      const used = process.cpuUsage(t0);
      return (used.user + used.system) / (rounds * participants);
    };
    run(quick ? 500 : 5000, 0);
    const result = run(quick ? 2000 : 20_000, 5000);
    for (const s of subscriptions) s.unsubscribe();
    return result;
  };
  // In turns, medians of each: a single pair of runs is at the mercy of the JIT and of the machine's other work (the
  // rewrite, a difference of two such runs, once came out negative).
  const alone: number[] = [];
  const withRewrite: number[] = [];
  for (let turn = 0; turn < (quick ? 3 : 7); turn++) {
    alone.push(measure(false));
    withRewrite.push(measure(true));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const mixer = median(alone);
  return { mixer, rewrite: median(withRewrite) - mixer };
}

async function main(): Promise<void> {
  console.log(`werift benchmark: ${PARTICIPANTS} participants, ${OUTPUTS} outputs each, ${SECONDS} s`);
  const participants: Participant[] = [];
  // One at a time: ICE and DTLS handshakes of many peers at once time out on a busy machine.
  for (let i = 0; i < PARTICIPANTS; i++) participants.push(await join(i));

  const subscriptions: Subscription[] = [];
  const sources = merge(
    ...participants.map((p) =>
      fromWeriftTrack(p.incoming.track, {
        source: p.name,
        extensionId: audioLevelExtensionId(p.incoming.transceiver),
        peerConnection: p.incoming.pc,
      }),
    ),
  ).pipe(timeDownstream<SourceEvent<string, RtpPacket>>('mixer'));
  // speechMixer's threshold and hold (mixRoom takes audioMixer's options).
  const room = mixRoom(sources, {
    outputs: OUTPUTS,
    threshold: SPEECH_DEFAULTS.threshold,
    minHold: SPEECH_DEFAULTS.minHold,
  });
  for (const p of participants) {
    const timedTracks = p.tracks.map((track) => ({
      writeRtp(packet: RtpPacket) {
        if (!measuring) {
          track.writeRtp(packet);
          return;
        }
        const t0 = performance.now();
        track.writeRtp(packet);
        current.send += performance.now() - t0;
        current.writes++;
      },
    }));
    subscriptions.push(
      room
        .listen({ exclude: [p.name] })
        .pipe(timeDownstream('rewrite'), toWeriftTracks(timedTracks, { extensionId: p.extensionId }))
        .subscribe(),
    );
  }

  // Every 20 ms each publisher sends; the speaker (level -20) changes every 2 s, the others -55 to -70.
  let tick = 0;
  const timer = setInterval(() => {
    const speaker = Math.floor((tick * PACKET_MS) / 2000) % participants.length;
    participants.forEach((p, k) => {
      p.publisher.send(levelOf(k, speaker, tick));
    });
    tick++;
  }, PACKET_MS);

  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
  clock = clockCost();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const sent0 = tick;
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const ticks = tick - sent0;
  clearInterval(timer);

  const alone = offline(PARTICIPANTS);
  const received = samples.receive.length;
  const written = samples.writes.reduce((a, b) => a + b, 0);
  const fanOut = written / received;
  // The median of each segment over the received packets (robust to the preemptions of a shared machine), and the
  // mean, which also holds the rare slow packet (a garbage collection, a cold path).
  // The rewrite and the send per packet written: of the received packets that were forwarded, each one's time over
  // its number of copies. Only the sources pinned somewhere are forwarded, so most received packets have none.
  const perWrite = (name: 'rewrite' | 'send'): number[] =>
    samples[name].flatMap((t, i) => ((samples.writes[i] ?? 0) > 0 ? [t / samples.writes[i]!] : []));
  // Each segment per received packet: the median (robust to the preemptions of a shared machine) and the mean (which
  // also holds the rare slow packet: a garbage collection, a cold path, a preemption).
  const parts = [
    { name: 'receive' as const, median: median(samples.receive), mean: mean(samples.receive) },
    { name: 'mixer' as const, median: median(samples.mixer), mean: mean(samples.mixer) },
    { name: 'rewrite' as const, median: median(perWrite('rewrite')) * fanOut, mean: mean(samples.rewrite) },
    { name: 'send' as const, median: median(perWrite('send')) * fanOut, mean: mean(samples.send) },
  ];
  const total = parts.reduce((a, p) => a + p.median, 0);
  const totalMean = parts.reduce((a, p) => a + p.mean, 0);
  // Per participant and second: 50 packets received, each handled as above.
  const packetsPerSecond = 1000 / PACKET_MS;
  const participantsPerCore = 1_000_000 / (packetsPerSecond * total);
  const participantsPerCoreMean = 1_000_000 / (packetsPerSecond * totalMean);
  const share = (x: number) => `${((x / total) * 100).toFixed(1)}%`;
  const f = (x: number, d = 1) => x.toFixed(d);
  const labels = {
    receive: 'werift receive: SRTP decrypt, parse, route (and fromWeriftTrack)',
    mixer: `mixer: mixRoom, ${PARTICIPANTS} listeners`,
    rewrite: 'rewrite: toWeriftTracks',
    send: 'werift send: writeRtp (sender, SRTP encrypt, socket)',
  };
  const lines = [
    `| per received packet (forwarded ${f(fanOut, 2)} times on average) | median µs | share | mean µs | per forwarded packet µs |`,
    `| --- | ---: | ---: | ---: | ---: |`,
    ...parts.map(
      (p) => `| ${labels[p.name]} | ${f(p.median)} | ${share(p.median)} | ${f(p.mean)} | ${f(p.median / fanOut, 2)} |`,
    ),
    `| **total** | **${f(total)}** | 100% | ${f(totalMean)} | ${f(total / fanOut, 2)} |`,
  ];
  const summary = [
    `${PARTICIPANTS} participants, ${OUTPUTS} outputs each, ${f(wall / 1000)} s measured: ${received} packets received by the server (${f((received / ticks / PARTICIPANTS) * 100)}% of those sent), ${written} written to listeners (${f(fanOut, 2)} per packet received). Clock readings: ${f(clock * 1e6, 0)} ns a pair, taken out of the figures.`,
    `One participant of a ${OUTPUTS}-output room (50 packets a second in, ${f(50 * fanOut, 0)} out) costs the server ${f((packetsPerSecond * total) / 1000, 2)} ms of CPU a second: one core serves about **${f(participantsPerCore, 0)} participants** (${f(participantsPerCoreMean, 0)} by the means). The mixer's share: **${share(parts[1]!.median)}**.`,
    `Without werift and without clock readings around each packet (the same room and levels fed from Subjects, CPU time), the mixer takes ${f(alone.mixer, 2)} µs per packet received and the rewrite ${alone.rewrite > 0 ? `${f(alone.rewrite, 2)} µs` : 'less than this run can tell (the two medians differ by less than their noise)'} (for its ${f(fanOut, 2)} copies): with werift's median receive and send, the mixer's share is ${f((alone.mixer / (parts[0]!.median + alone.mixer + Math.max(0, alone.rewrite) + parts[3]!.median)) * 100)}%.`,
    `The whole process (publishers and listening peers included) used ${f(((cpu.user + cpu.system) / 1000 / wall) * 100, 0)}% of a core; ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, werift 0.24.4.`,
  ];
  console.log(lines.join('\n'));
  console.log(summary.join('\n'));
  if (!quick) {
    writeFileSync(
      new URL('./webrtc-results.md', import.meta.url),
      `<!-- written by npm run bench -- --webrtc -->\n${lines.join('\n')}\n\n${summary.join('\n\n')}\n`,
    );
  }
  if (participants.some((p) => p.received.count === 0)) throw new Error('a listener received nothing');
  for (const s of subscriptions) s.unsubscribe();
  await Promise.all(peers.map((pc) => pc.close()));
}

await main();
