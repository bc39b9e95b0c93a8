// The public entry of rx-audio-mixer: the operators, the sans-IO state machines behind them, and the types.
// The data structures inside the state machines are not exported: they may change in any release.
export { audioMixer } from './operators/audioMixer.js';
export { timeoutSources } from './operators/timeoutSources.js';
export { trackLevels } from './operators/trackLevels.js';
export { selectLoudest } from './operators/selectLoudest.js';
export { pinOutputs } from './operators/pinOutputs.js';
export { mixRoom, type ListenOptions, type MixRoom } from './operators/mixRoom.js';
export { withMedia, type WithMediaOptions } from './operators/withMedia.js';
export { normaliseLevels, NORMALISE_DEFAULTS, type NormaliseLevelsOptions } from './operators/normaliseLevels.js';
export { speechMixer, SPEECH_DEFAULTS, type SpeechMixerOptions } from './operators/speechMixer.js';
export { audioLevels, type AudioLevelsOptions } from './operators/audioLevels.js';
export { dominantSpeaker, type DominantSpeakerOptions } from './operators/dominantSpeaker.js';
export type {
  AudioMixerOptions,
  PinOutputsOptions,
  SelectLoudestOptions,
  TimeoutSourcesOptions,
  TrackLevelsOptions,
} from './operators/internal/options.js';

export { AudioMixerCore, type AudioMixerConfig } from './src/audioMixerCore.js';
export { SourceTimeouts, type SourceTimeoutsConfig } from './src/sourceTimeouts.js';
export { LevelTracker, type LevelTrackerConfig } from './src/levelTracker.js';
export { LoudestSelector, type LoudestSelectorConfig } from './src/loudestSelector.js';
export { OutputPinner, type OutputPinnerConfig } from './src/outputPinner.js';
export { RoomMixerCore, type RoomListener, type Hearing } from './src/roomMixerCore.js';
export { LevelNormaliser, type LevelNormaliserConfig } from './src/levelNormaliser.js';
export {
  DominantSpeakerDetector,
  type DominantSpeakerConfig,
  type DominantSpeakerEvent,
} from './src/dominantSpeakerDetector.js';
export {
  AudioLevelObserver,
  type AudioLevelObserverConfig,
  type AudioLevelsEvent,
  type AudioSilence,
  type AudioVolumes,
} from './src/audioLevelObserver.js';
export { TimelessStage, type Stage } from './src/stage.js';
export { LOUDEST, SILENCE } from './src/levels.js';
export { audioLevel } from './src/audioLevel.js';
export { DEFAULT_THRESHOLD, DEFAULT_TIMEOUT } from './src/options.js';
export type {
  InvalidHandler,
  InvalidReason,
  InvalidReport,
  LevelledPacket,
  LevelledSourceEvent,
  OutputEvent,
  OutputPacket,
  OutputPin,
  OutputUnpin,
  SelectionEvent,
  SourceAdded,
  SourceDeselected,
  SourceEvent,
  SourcePacket,
  SourceRemoved,
  SourceSelected,
} from './src/events.js';
