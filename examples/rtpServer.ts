/**
 * An RTP mixing server on UDP: takes RTP from any number of senders on one port, mixes with `speechMixer` (or
 * `audioMixer`), and sends
 * each output as its own RTP stream to the listener's address for that output. The example behind
 * `npm run rtp-demo`, and the path the integration test drives over loopback.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { fromEvent, map, tap, type Subscription } from 'rxjs';
import { audioMixer, speechMixer, type InvalidReport } from 'rx-audio-mixer';
import { fromRtpPackets, toRtpOutputs, type RtpPacketInfo } from 'rx-audio-mixer/rtp';

export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface RtpMixerServerOptions {
  /** Where to listen; default 127.0.0.1, port 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Where to send each output: one target per output. */
  readonly targets: readonly Target[];
  /** The audio level extension id the senders use (`a=extmap`). */
  readonly extensionId: number;
  /** `speechMixer` (the default) or the plain `audioMixer`. */
  readonly mixer?: 'speech' | 'audio';
  readonly threshold?: number;
  readonly timeout?: number;
  readonly onInvalid?: (report: InvalidReport) => void;
}

export interface RtpMixerServer {
  /** The address the server listens on. */
  readonly address: Target;
  /**
   * Datagrams read and invalid, packets sent and pins per output, and the longest gap between two packets of one
   * sender as the server read them (ms): a gap of the mixer's timeout or more ends the sender's source (rule 5), as
   * when a loaded machine stalls.
   */
  readonly stats: { received: number; invalid: number; sent: number[]; switches: number[]; longestGapMs: number };
  /** Stops mixing (unpinning every output) and closes the socket. */
  close(): Promise<void>;
}

export async function startRtpMixerServer(options: RtpMixerServerOptions): Promise<RtpMixerServer> {
  const outputs = options.targets.length;
  const socket: Socket = createSocket('udp4');
  socket.bind(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(socket, 'listening');
  const stats = {
    received: 0,
    invalid: 0,
    sent: new Array<number>(outputs).fill(0),
    switches: new Array<number>(outputs).fill(0),
    longestGapMs: 0,
  };
  const lastPacketAt = new Map<number, number>();
  const onInvalid = (report: InvalidReport) => {
    stats.invalid++;
    options.onInvalid?.(report);
  };
  const subscription: Subscription = fromEvent(socket, 'message')
    .pipe(
      map((args) => {
        const [message] = args as [Buffer];
        stats.received++;
        return new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      }),
      fromRtpPackets({ extensionId: options.extensionId, onInvalid }),
      tap((event) => {
        if (event.type !== 'source-pkt') return;
        const now = performance.now();
        const last = lastPacketAt.get(event.source);
        if (last !== undefined && now - last > stats.longestGapMs) stats.longestGapMs = now - last;
        lastPacketAt.set(event.source, now);
      }),
      (options.mixer === 'audio' ? audioMixer<number, RtpPacketInfo> : speechMixer<number, RtpPacketInfo>)({
        outputs,
        threshold: options.threshold,
        timeout: options.timeout,
        onInvalid,
      }),
      map((event) => {
        if (event.type === 'output-pin') stats.switches[event.output] = (stats.switches[event.output] ?? 0) + 1;
        return event;
      }),
      toRtpOutputs({ outputs, extensionId: options.extensionId }),
    )
    .subscribe(({ output, datagram }) => {
      const target = options.targets[output];
      if (target === undefined) return;
      stats.sent[output] = (stats.sent[output] ?? 0) + 1;
      socket.send(datagram, target.port, target.host);
    });
  const { address, port } = socket.address();
  return {
    address: { host: address, port },
    stats,
    async close() {
      subscription.unsubscribe();
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    },
  };
}
