// The public entry of rx-audio-mixer.
export { audioMixer } from '../operators/audioMixer.js';
export { timeoutSources } from '../operators/timeoutSources.js';
export { trackLevels } from '../operators/trackLevels.js';
export { selectLoudest } from '../operators/selectLoudest.js';
export { pinOutputs } from '../operators/pinOutputs.js';
export type {
  AudioMixerOptions,
  PinOutputsOptions,
  SelectLoudestOptions,
  TimeoutSourcesOptions,
  TrackLevelsOptions,
} from '../operators/internal/options.js';

export { AudioMixerCore, type AudioMixerConfig } from './audioMixerCore.js';
export { SourceTimeouts, type SourceTimeoutsConfig } from './sourceTimeouts.js';
export { LevelTracker, type LevelTrackerConfig } from './levelTracker.js';
export { LoudestSelector, type LoudestSelectorConfig } from './loudestSelector.js';
export { OutputPinner, type OutputPinnerConfig } from './outputPinner.js';
export { TimelessStage, type Stage } from './stage.js';
// The building blocks the core and the stages share, for stages of your own.
export { ActivityList, type Active } from './activityList.js';
export { KnownSources } from './knownSources.js';
export { Selection, type SelectionListener } from './selection.js';
export { Outputs, type Pinnable } from './outputs.js';
export { SourceRecord } from './sourceRecord.js';
export { CandidateBuckets, QuietestHeap, type Ranked } from './ranked.js';
export { LOUDEST, SILENCE } from './levels.js';
export { audioLevel } from './audioLevel.js';
export { DEFAULT_THRESHOLD, DEFAULT_TIMEOUT } from './options.js';
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
} from './events.js';
