/**
 * The browser room: a small SFU on `node:http` and werift. Each participant's page publishes its microphone and
 * receives `outputs` tracks, which `mixRoom` fills with the loudest other participants (mix-minus, `speechMixer`'s
 * rules); a live panel (server-sent events) shows who holds each of the participant's outputs, the dominant speaker
 * and the room's levels. The example behind `npm run sfu`, and the server the browser test drives.
 *
 * Signalling, all on one origin: `GET /events?name=` opens the participant's event stream (its first event, `hello`,
 * gives its id); `POST /offer?id=` takes the page's SDP offer (its microphone `sendonly`, then `outputs` `recvonly`
 * transceivers) and answers it; `POST /leave?id=` (the page's `pagehide` beacon) ends the participant. A participant
 * also leaves when its event stream closes or its peer connection closes or fails: werift alone would notice a page
 * that vanished only when ICE consent expires, about 30 s later.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Subject, share, tap, type Observable, type Subscription } from 'rxjs';
import {
  audioLevels,
  dominantSpeaker,
  mixRoom,
  normaliseLevels,
  SPEECH_DEFAULTS,
  type InvalidReport,
  type OutputPin,
  type OutputUnpin,
  type SourceEvent,
} from 'rx-audio-mixer';
import { audioLevelExtensionId, fromWeriftTrack, toWeriftTracks } from 'rx-audio-mixer/werift';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  useAudioLevelIndication,
  useSdesMid,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';

export interface SfuOptions {
  /** Where to listen; default 127.0.0.1, port 8080 (0: any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Output tracks per participant; default 3. */
  readonly outputs?: number;
  /** Ask the browsers for Opus DTX (`usedtx=1` in the answer): silence becomes a packet pair every ~400 ms. */
  readonly dtx?: boolean;
  /** The mixer's `timeout`, ms (default the library's, 1000). */
  readonly timeout?: number;
  /**
   * The rules: `speech` (default) those of `speechMixer` (levels normalised to each microphone's floor, onset priority,
   * a 15 dB threshold, a 200 ms hold), `audio` those of `audioMixer` (raw levels, its 30 dB threshold, no hold), to
   * compare.
   */
  readonly mixer?: 'speech' | 'audio';
  readonly onInvalid?: (report: InvalidReport) => void;
}

/** What the room does, for a log or a test. */
export type SfuEvent =
  | { readonly type: 'joined' | 'left'; readonly name: string; readonly reason?: string }
  | {
      readonly type: (OutputPin | OutputUnpin)['type'];
      readonly listener: string;
      readonly output: number;
      readonly source: string;
    };

export interface Sfu {
  /** The page's address. */
  readonly url: string;
  /** Joins, leaves, and every pin and unpin of every participant's outputs. */
  readonly events: Observable<SfuEvent>;
  /** The room's source events: every participant's microphone packets, with their levels. */
  readonly sources: Observable<SourceEvent<string, RtpPacket>>;
  /** Ends every participant and closes the server. */
  close(): Promise<void>;
}

interface Participant {
  readonly id: string;
  readonly name: string;
  readonly stream: ServerResponse;
  /** The source holding each of this participant's outputs. */
  readonly holders: (string | null)[];
  pc?: RTCPeerConnection;
  feed?: Subscription;
  /** Whether the room heard of the participant's source (`source-added`, with its first packet), and of its end. */
  added: boolean;
  removed: boolean;
  listening?: Subscription;
  left: boolean;
}

const PAGE = new URL('./page.html', import.meta.url);
const ROOM_EVENTS_INTERVAL = 250;

export async function startSfu(options: SfuOptions = {}): Promise<Sfu> {
  const outputs = options.outputs ?? 3;
  if (!Number.isInteger(outputs) || outputs < 1) throw new RangeError(`sfu: 'outputs' must be an integer >= 1`);
  const page = await readFile(PAGE);
  const onInvalid = options.onInvalid;
  const timeout = options.timeout;
  const participants = new Map<string, Participant>();
  const events = new Subject<SfuEvent>();
  const roomEvents = new Subject<SourceEvent<string, RtpPacket>>();

  // speechMixer's rules for a room: normalise each microphone to its own noise floor (onset priority on), then mix
  // with speechMixer's threshold and hold. Or audioMixer's: the raw levels, its threshold, no hold.
  const room =
    options.mixer !== 'audio'
      ? mixRoom(
          roomEvents.pipe(normaliseLevels({ onsetBoost: SPEECH_DEFAULTS.onsetBoost, timeout, onInvalid }), share()),
          { outputs, threshold: SPEECH_DEFAULTS.threshold, minHold: SPEECH_DEFAULTS.minHold, timeout, onInvalid },
        )
      : mixRoom(roomEvents.pipe(share()), { outputs, timeout, onInvalid });

  const send = (participant: Participant, event: string, data: unknown): void => {
    if (!participant.left) participant.stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const broadcast = (event: string, data: unknown): void => {
    for (const participant of participants.values()) send(participant, event, data);
  };
  const panel: Subscription[] = [
    roomEvents.pipe(dominantSpeaker({ onInvalid })).subscribe(({ source }) => {
      broadcast('dominant', { name: source });
    }),
    roomEvents
      .pipe(audioLevels({ interval: ROOM_EVENTS_INTERVAL, maxEntries: 32, threshold: -127, onInvalid }))
      .subscribe((event) => {
        broadcast('levels', { volumes: event.type === 'volumes' ? event.volumes : [] });
      }),
  ];
  const roster = (): void => {
    broadcast('room', { names: [...participants.values()].map((p) => p.name) });
  };

  const leave = (participant: Participant, reason: string): void => {
    if (participant.left) return;
    participant.left = true;
    participants.delete(participant.id);
    participant.listening?.unsubscribe();
    // Closing the peer connection ends the participant's source (`source-removed` from fromWeriftTrack); if it did
    // not get that far, the room hears of the removal here.
    void participant.pc?.close();
    participant.feed?.unsubscribe();
    if (participant.added && !participant.removed) {
      roomEvents.next({ type: 'source-removed', source: participant.name });
    }
    participant.stream.end();
    events.next({ type: 'left', name: participant.name, reason });
    roster();
  };

  const openStream = (response: ServerResponse, query: URLSearchParams): void => {
    const wanted = (query.get('name') ?? '').trim().slice(0, 32) || 'guest';
    let name = wanted;
    const taken = new Set([...participants.values()].map((p) => p.name));
    for (let n = 2; taken.has(name); n++) name = `${wanted}-${n}`;
    const participant: Participant = {
      id: randomUUID(),
      name,
      stream: response,
      holders: new Array<string | null>(outputs).fill(null),
      added: false,
      removed: false,
      left: false,
    };
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    participants.set(participant.id, participant);
    response.on('close', () => {
      leave(participant, 'event stream closed');
    });
    send(participant, 'hello', { id: participant.id, name, outputs });
    events.next({ type: 'joined', name });
    roster();
  };

  const answer = async (participant: Participant, offer: string): Promise<string> => {
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      // New objects for every peer connection: werift writes the negotiated id into them.
      headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] },
    });
    participant.pc = pc;
    // In the order of the page's m-lines: its microphone, then the outputs.
    const microphone = pc.addTransceiver('audio', { direction: 'recvonly' });
    const tracks = Array.from({ length: outputs }, () => new MediaStreamTrack({ kind: 'audio' }));
    const senders: RTCRtpTransceiver[] = tracks.map((track) => pc.addTransceiver(track, { direction: 'sendonly' }));
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'closed' || state === 'failed') leave(participant, `peer connection ${state}`);
    });
    microphone.onTrack.subscribe((track) => {
      if (participant.left || participant.feed !== undefined) return;
      participant.feed = fromWeriftTrack(track, {
        source: participant.name,
        extensionId: audioLevelExtensionId(microphone),
        peerConnection: pc,
        onInvalid,
      }).subscribe((event) => {
        // The source joins the room with its first packet, not when the track is announced: media flows only once
        // ICE and DTLS are up, and a source added earlier would be pinned, then time out before it sent anything.
        if (event.type === 'source-added') return;
        if (event.type === 'source-pkt' && !participant.added) {
          participant.added = true;
          roomEvents.next({ type: 'source-added', source: participant.name });
        }
        if (event.type === 'source-removed') {
          participant.removed = true;
          if (!participant.added) return;
        }
        roomEvents.next(event);
      });
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    const sdp = pc.localDescription?.sdp ?? '';

    participant.listening = room
      .listen({ exclude: [participant.name] })
      .pipe(
        tap((event) => {
          if (event.type === 'output-pkt') return;
          participant.holders[event.output] = event.type === 'output-pin' ? event.source : null;
          send(participant, 'outputs', { holders: participant.holders });
          events.next({ type: event.type, listener: participant.name, output: event.output, source: event.source });
        }),
        toWeriftTracks(tracks, { extensionId: audioLevelExtensionId(senders[0]!), onInvalid }),
      )
      .subscribe();
    return options.dtx === true ? withDtx(sdp) : sdp;
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const participant = participants.get(url.searchParams.get('id') ?? '');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page);
    } else if (request.method === 'GET' && url.pathname === '/events') {
      openStream(response, url.searchParams);
    } else if (request.method === 'POST' && url.pathname === '/offer' && participant?.pc === undefined) {
      if (participant === undefined) {
        reply(response, 404, 'no such participant');
        return;
      }
      readBody(request)
        .then((offer) => answer(participant, offer))
        .then(
          (sdp) => {
            reply(response, 200, sdp, 'application/sdp');
          },
          (error: unknown) => {
            reply(response, 400, String(error));
            leave(participant, 'bad offer');
          },
        );
    } else if (request.method === 'POST' && url.pathname === '/leave') {
      if (participant !== undefined) leave(participant, 'page hidden');
      reply(response, 204, '');
    } else {
      reply(response, 404, 'not found');
    }
  });
  server.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}/`,
    events: events.asObservable(),
    sources: roomEvents.asObservable(),
    async close() {
      for (const participant of [...participants.values()]) leave(participant, 'server closed');
      for (const subscription of panel) subscription.unsubscribe();
      roomEvents.complete();
      events.complete();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

function reply(response: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 100_000) throw new RangeError('offer too large');
  }
  return body;
}

/** The answer with `usedtx=1` in Opus's format parameters: the browser then sends its silences as DTX. */
function withDtx(sdp: string): string {
  const opus = /^a=rtpmap:(\d+) opus\//im.exec(sdp)?.[1];
  if (opus === undefined) return sdp;
  return sdp.replace(new RegExp(`^a=fmtp:${opus} (.*)$`, 'gm'), (line, parameters: string) =>
    /usedtx=/.test(parameters) ? line : `a=fmtp:${opus} ${parameters.trimEnd()};usedtx=1`,
  );
}
