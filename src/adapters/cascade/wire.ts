/**
 * The cascade's wire format: one NATS message per output event of a node's local selection, no JSON.
 *
 * ```
 * byte 0      version (high 4 bits, 1) and kind (low 4 bits: 0 pin, 1 packet, 2 unpin)
 * byte 1      output number (0..255)
 * bytes 2-3   packet only: level in hundredths of dB, signed 16-bit big-endian (-12700..0)
 * next byte   length of the source id in UTF-8 bytes (1..255)
 * next bytes  the source id, UTF-8
 * the rest    packet only: the packet's data, as it is
 * ```
 *
 * So a packet costs 5 bytes besides its source id and data (a pin or an unpin 3). The subject says which room and
 * which node: `<prefix>.<room>.<node>`.
 *
 * @module
 */
import type { OutputEvent } from '../../events/events.js';

// TextEncoder and TextDecoder are globals of every JavaScript runtime this runs on (Node, browsers, Deno), though not
// of the ECMAScript library the core is typed against.
declare class TextEncoder {
  encode(input: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input: Uint8Array): string;
}

/** @group Wire formats */
export const WIRE_VERSION = 1;
const PIN = 0;
const PACKET = 1;
const UNPIN = 2;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Why a message could not be read.
 *
 * @group Wire formats
 */
export class MalformedMessage extends Error {
  override readonly name = 'MalformedMessage';
}

/**
 * The bytes of one output event; throws a `RangeError` for what the format cannot carry.
 *
 * @group Wire formats
 */
export function encodeEvent(event: OutputEvent): Uint8Array {
  const id = encoder.encode(event.source);
  if (id.byteLength === 0 || id.byteLength > 255) {
    throw new RangeError(
      `rx-audio-mixer: a source id must take 1..255 UTF-8 bytes, ${JSON.stringify(event.source)} takes ${id.byteLength}`,
    );
  }
  if (!Number.isInteger(event.output) || event.output < 0 || event.output > 255) {
    throw new RangeError(`rx-audio-mixer: output ${event.output} does not fit the wire format (0..255)`);
  }
  const packet = event.type === 'output-pkt';
  const head = packet ? 4 : 2;
  const data = packet ? event.data : undefined;
  const bytes = new Uint8Array(head + 1 + id.byteLength + (data?.byteLength ?? 0));
  bytes[0] = (WIRE_VERSION << 4) | (packet ? PACKET : event.type === 'output-pin' ? PIN : UNPIN);
  bytes[1] = event.output;
  if (packet) {
    const level = Math.round(Math.max(-127, Math.min(0, event.level)) * 100);
    bytes[2] = (level >> 8) & 0xff;
    bytes[3] = level & 0xff;
  }
  bytes[head] = id.byteLength;
  bytes.set(id, head + 1);
  if (data !== undefined) bytes.set(data, head + 1 + id.byteLength);
  return bytes;
}

/**
 * The output event in `bytes`; throws {@link MalformedMessage} when they are not one.
 *
 * @group Wire formats
 */
export function decodeEvent(bytes: Uint8Array): OutputEvent {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 3) throw new MalformedMessage('shorter than 3 bytes');
  const version = bytes[0]! >> 4;
  const kind = bytes[0]! & 0x0f;
  if (version !== WIRE_VERSION) throw new MalformedMessage(`wire version ${version}, expected ${WIRE_VERSION}`);
  if (kind > UNPIN) throw new MalformedMessage(`unknown kind ${kind}`);
  const output = bytes[1]!;
  const head = kind === PACKET ? 4 : 2;
  if (bytes.byteLength < head + 1) throw new MalformedMessage('truncated header');
  const idLength = bytes[head]!;
  if (idLength === 0) throw new MalformedMessage('empty source id');
  const idEnd = head + 1 + idLength;
  if (idEnd > bytes.byteLength) throw new MalformedMessage(`source id of ${idLength} bytes runs past the end`);
  let source: string;
  try {
    source = decoder.decode(bytes.subarray(head + 1, idEnd));
  } catch {
    throw new MalformedMessage('source id is not UTF-8');
  }
  if (kind === PIN) {
    if (idEnd !== bytes.byteLength) throw new MalformedMessage('a pin carries no data');
    return { type: 'output-pin', output, source };
  }
  if (kind === UNPIN) {
    if (idEnd !== bytes.byteLength) throw new MalformedMessage('an unpin carries no data');
    return { type: 'output-unpin', output, source };
  }
  const raw = (bytes[2]! << 8) | bytes[3]!;
  const level = (raw >= 0x8000 ? raw - 0x10000 : raw) / 100;
  if (level > 0 || level < -127) throw new MalformedMessage(`level ${level} is outside -127..0`);
  return { type: 'output-pkt', output, source, level, data: bytes.slice(idEnd) };
}
