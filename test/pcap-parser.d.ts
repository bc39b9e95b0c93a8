// pcap-parser ships no types; this is the part the fixtures reader uses.
declare module 'pcap-parser' {
  export interface PcapPacket {
    header: { timestampSeconds: number; timestampMicroseconds: number };
    data: Uint8Array;
  }
  export interface PcapParser {
    on(event: 'packet', listener: (packet: PcapPacket) => void): void;
    on(event: 'end', listener: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
  }
  export function parse(input: string): PcapParser;
}
