// rx-audio-mixer/rtp: the RTP adapter. Kept out of the main entry so that the core has no dependency but rxjs;
// this entry needs the optional peer dependency rtp.js.
export { fromRtpPackets, type FromRtpPacketsOptions } from './adapters/fromRtpPackets.js';
export { toRtpOutputs, type ToRtpOutputsOptions } from './adapters/toRtpOutputs.js';
export { parseRtp, isRtpParseFailure, type RtpParseFailure, type RtpProblem } from './src/adapters/rtp/parseRtp.js';
export { RtpReader, type MalformedRtpReport, type RtpReaderConfig } from './src/adapters/rtp/rtpReader.js';
export {
  RtpOutputRewriter,
  type RtpOutputPacket,
  type RtpOutputRewriterConfig,
} from './src/adapters/rtp/rtpOutputRewriter.js';
export { AUDIO_LEVEL_URI, type RtpPacketInfo } from './src/adapters/rtp/rtpPacketInfo.js';
