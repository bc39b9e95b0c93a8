// The public entry of rx-audio-mixer: the operators, the sans-IO state machines behind them, and the types.
// The data structures inside the state machines are not exported: they may change in any release.
export { audioMixer } from './operators/audioMixer.js';
export { timeoutSources } from './operators/timeoutSources.js';
export { trackLevels } from './operators/trackLevels.js';
export { selectLoudest } from './operators/selectLoudest.js';
export { pinOutputs } from './operators/pinOutputs.js';
export { mixRoom, type ListenOptions, type MixRoom } from './operators/mixRoom.js';
export { withMedia, type WithMediaOptions } from './operators/withMedia.js';
export { normaliseLevels, type NormaliseLevelsOptions } from './operators/normaliseLevels.js';
export { NORMALISE_DEFAULTS } from './src/options/normaliser.js';
export { speechMixer, SPEECH_DEFAULTS, type SpeechMixerOptions } from './operators/speechMixer.js';
export { audioLevels, type AudioLevelsOptions } from './operators/audioLevels.js';
export { dominantSpeaker, type DominantSpeakerOptions } from './operators/dominantSpeaker.js';
export type {
  AudioMixerOptions,
  PinOutputsOptions,
  SelectLoudestOptions,
  TimeoutSourcesOptions,
  TrackLevelsOptions,
} from './operators/options.js';

export { AudioMixerCore, type AudioMixerConfig } from './src/stages/audioMixerCore.js';
export { SourceTimeouts, type SourceTimeoutsConfig } from './src/stages/sourceTimeouts.js';
export { LevelTracker, type LevelTrackerConfig } from './src/stages/levelTracker.js';
export { LoudestSelector, type LoudestSelectorConfig } from './src/stages/loudestSelector.js';
export { OutputPinner, type OutputPinnerConfig } from './src/stages/outputPinner.js';
export { RoomMixerCore } from './src/stages/room/roomMixerCore.js';
export type { RoomListener, Hearing } from './src/stages/room/listener.js';
export { LevelNormaliser, type LevelNormaliserConfig } from './src/stages/levelNormaliser.js';
export type { OnsetRule } from './src/rules/onsetPriority.js';
export type { SteadyRule } from './src/rules/steadyFloor.js';
export {
  DominantSpeakerDetector,
  type DominantSpeakerConfig,
  type DominantSpeakerEvent,
} from './src/stages/dominantSpeakerDetector.js';
export {
  AudioLevelObserver,
  type AudioLevelObserverConfig,
  type AudioLevelsEvent,
  type AudioSilence,
  type AudioVolumes,
} from './src/stages/audioLevelObserver.js';
export { TimelessStage, type Stage } from './src/stages/stage.js';
export { fromStage } from './operators/internal/fromStage.js';
export { LOUDEST, SILENCE } from './src/events/levels.js';
export { audioLevel } from './src/events/audioLevel.js';
export { DEFAULT_THRESHOLD, DEFAULT_TIMEOUT, MAX_OUTPUTS } from './src/options/checks.js';
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
} from './src/events/events.js';
