// The public surface is what users may rely on for years: the operators, the state machines and the types. The data
// structures inside the state machines stay internal.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as api from 'rx-audio-mixer';
import * as rtp from 'rx-audio-mixer/rtp';

it('the package entry exports operators, state machines and constants, no data structure', () => {
  expect(Object.keys(api).sort()).toStrictEqual(
    [
      'AudioMixerCore',
      'AudioLevelObserver',
      'LevelNormaliser',
      'NORMALISE_DEFAULTS',
      'SPEECH_DEFAULTS',
      'audioLevels',
      'dominantSpeaker',
      'DominantSpeakerDetector',
      'normaliseLevels',
      'speechMixer',
      'DEFAULT_THRESHOLD',
      'DEFAULT_TIMEOUT',
      'MAX_OUTPUTS',
      'LOUDEST',
      'LevelTracker',
      'LoudestSelector',
      'OutputPinner',
      'SILENCE',
      'SourceTimeouts',
      'TimelessStage',
      'audioLevel',
      'audioMixer',
      'mixRoom',
      'RoomMixerCore',
      'pinOutputs',
      'selectLoudest',
      'timeoutSources',
      'trackLevels',
      'withMedia',
    ].sort(),
  );
});

it('the RTP entry exports its operators, state machines and helpers', () => {
  expect(Object.keys(rtp).sort()).toStrictEqual(
    ['AUDIO_LEVEL_URI', 'RtpOutputRewriter', 'RtpReader', 'fromRtpPackets', 'isRtpParseFailure', 'parseRtp', 'toRtpOutputs'].sort(),
  );
});

it('the NATS entry exports its operators, state machine and wire format', async () => {
  const nats = await import('rx-audio-mixer/nats');
  expect(Object.keys(nats).sort()).toStrictEqual(
    ['MalformedMessage', 'RemoteSelections', 'WIRE_VERSION', 'decodeEvent', 'encodeEvent', 'publishSelection', 'remoteSources'].sort(),
  );
});

it('src/, the sans-IO core, imports neither RxJS nor the operators', () => {
  const root = fileURLToPath(new URL('../src/', import.meta.url));
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const text = readFileSync(`${root}${file}`, 'utf8');
    expect(text, file).not.toMatch(/from '(rxjs|[./]*operators\/)/);
  }
});
