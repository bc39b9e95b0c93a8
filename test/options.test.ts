import { describe, expect, it } from 'vitest';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels } from 'rx-audio-mixer';

type Make = (options: never) => unknown;
const call = (make: Make, options: unknown) => () => make(options as never);

describe('options are checked when the operator is created', () => {
  const outputsTakers: [string, Make][] = [
    ['audioMixer', audioMixer],
    ['selectLoudest', selectLoudest],
    ['pinOutputs', pinOutputs],
  ];

  it.each(outputsTakers)('%s requires outputs to be an integer >= 1', (_name, make) => {
    expect(call(make, {})).toThrow(new TypeError("rx-audio-mixer: option 'outputs' must be an integer >= 1, got undefined"));
    expect(call(make, { outputs: '2' })).toThrow(TypeError);
    expect(call(make, { outputs: 0 })).toThrow(new RangeError("rx-audio-mixer: option 'outputs' must be an integer >= 1, got 0"));
    expect(call(make, { outputs: 1.5 })).toThrow(/'outputs'.*got 1\.5/);
    expect(call(make, { outputs: Number.NaN })).toThrow(RangeError);
    expect(call(make, { outputs: 1 })).not.toThrow();
  });

  it.each([
    ['threshold', -1, RangeError, /'threshold' must be a finite number of dB >= 0, got -1/],
    ['threshold', Number.NaN, RangeError, /'threshold'.*got NaN/],
    ['threshold', '30', TypeError, /'threshold'.*got "30"/],
    ['timeout', 0, RangeError, /'timeout' must be a finite number of ms > 0, got 0/],
    ['timeout', Infinity, RangeError, /'timeout'.*got Infinity/],
    ['timeout', null, TypeError, /'timeout'.*got null/],
    ['scheduler', {}, TypeError, /'scheduler' must be a SchedulerLike/],
    ['onInvalid', 'log', TypeError, /'onInvalid' must be a function, got "log"/],
  ] as const)('audioMixer rejects %s = %s', (name, value, kind, message) => {
    const make = call(audioMixer, { outputs: 2, [name]: value });
    expect(make).toThrow(kind);
    expect(make).toThrow(message);
  });

  it('every operator rejects an options value that is not an object', () => {
    for (const make of [audioMixer, selectLoudest, pinOutputs, timeoutSources, trackLevels] as Make[]) {
      expect(call(make, null)).toThrow(new TypeError("rx-audio-mixer: option 'options' must be an object, got null"));
    }
  });

  it('stage operators check the options they use', () => {
    expect(call(timeoutSources as Make, { timeout: -5 })).toThrow(/'timeout'/);
    expect(call(trackLevels as Make, { onInvalid: 3 })).toThrow(/'onInvalid'/);
    expect(call(selectLoudest as Make, { outputs: 1, threshold: -1 })).toThrow(/'threshold'/);
  });

  it('explicit undefined means the default', () => {
    expect(
      call(audioMixer as Make, { outputs: 1, threshold: undefined, timeout: undefined, scheduler: undefined, onInvalid: undefined }),
    ).not.toThrow();
  });
});
