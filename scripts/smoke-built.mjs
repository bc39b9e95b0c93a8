// Imports the built package by its name, as a user's code would after `npm install`, and mixes one event.
import { Subject } from 'rxjs';
import { audioMixer, pinOutputs, selectLoudest, timeoutSources, trackLevels } from 'rx-audio-mixer';

for (const operator of [audioMixer, trackLevels, timeoutSources, selectLoudest, pinOutputs]) {
  if (typeof operator !== 'function') throw new Error('rx-audio-mixer: an operator is missing from the built entry');
}
const room = new Subject();
const seen = [];
room.pipe(audioMixer({ outputs: 1 })).subscribe((event) => seen.push(event.type));
room.next({ type: 'source-added', source: 'a' });
room.complete();
if (seen.join() !== 'output-pin,output-unpin') throw new Error(`unexpected output: ${seen.join()}`);
console.log('built package imports and mixes');

// The RTP entry, with its optional peer rtp.js installed.
const rtp = await import('rx-audio-mixer/rtp');
for (const name of ['fromRtpPackets', 'toRtpOutputs', 'parseRtp']) {
  if (typeof rtp[name] !== 'function') throw new Error(`rx-audio-mixer/rtp: ${name} is missing from the built entry`);
}
console.log('built rtp entry imports');

// The NATS entry, with its optional peer installed.
const nats = await import('rx-audio-mixer/nats');
for (const name of ['publishSelection', 'remoteSources', 'encodeEvent', 'decodeEvent']) {
  if (typeof nats[name] !== 'function') throw new Error(`rx-audio-mixer/nats: ${name} is missing from the built entry`);
}
console.log('built nats entry imports');

// The werift entry, with its optional peer werift installed.
const werift = await import('rx-audio-mixer/werift');
for (const name of ['fromWeriftTrack', 'toWeriftTracks', 'audioLevelExtensionId']) {
  if (typeof werift[name] !== 'function')
    throw new Error(`rx-audio-mixer/werift: ${name} is missing from the built entry`);
}
console.log('built werift entry imports');
