// rx-audio-mixer/nats: a room across several media servers, each publishing its local selection on NATS and hearing
// the others'. Kept out of the main entry; it needs a NATS connection, for example from the optional peer
// dependency @nats-io/transport-node.
export {
  publishSelection,
  remoteSources,
  type CascadeOptions,
  type NatsLike,
  type RemoteSourcesOptions,
} from './adapters/cascade.js';
export {
  RemoteSelections,
  type RemoteSelectionsConfig,
  type SelectionMessage,
} from './src/adapters/cascade/remoteSelections.js';
export { decodeEvent, encodeEvent, MalformedMessage, WIRE_VERSION } from './src/adapters/cascade/wire.js';
