// rx-audio-mixer/werift: WebRTC through werift, the TypeScript WebRTC stack. Kept out of the main entry; it needs the
// optional peer dependency werift.
export { fromWeriftTrack, type FromWeriftTrackOptions } from './adapters/fromWeriftTrack.js';
export { toWeriftTracks, type ToWeriftTracksOptions } from './adapters/toWeriftTracks.js';
export { audioLevelExtensionId, type MalformedLevelReport } from './src/adapters/werift/audioLevel.js';
export { WeriftOutputWriter, type WeriftOutputWriterConfig } from './src/adapters/werift/weriftOutputWriter.js';
