/**
 * An in-memory stand-in for a NATS connection (subjects with a trailing `*` wildcard), for the cascade's unit tests
 * and simulation. Every byte published is counted.
 */
import type { NatsLike } from 'rx-audio-mixer/nats';

type Callback = Parameters<NatsLike['subscribe']>[1]['callback'];

export class MemoryBus {
  private readonly subscriptions = new Set<{ subject: string; callback: Callback }>();
  /** Per publisher: messages and payload bytes. */
  readonly published = new Map<string, { messages: number; bytes: number }>();

  connect(name: string): NatsLike & { closed: boolean; close(): void } {
    const { published, subscriptions } = this;
    const own = new Set<{ subject: string; callback: Callback }>();
    return {
      closed: false,
      publish(subject: string, payload: Uint8Array) {
        if (this.closed) throw new Error('connection closed');
        const count = published.get(name) ?? { messages: 0, bytes: 0 };
        count.messages += 1;
        count.bytes += payload.byteLength;
        published.set(name, count);
        for (const s of [...subscriptions]) {
          const match = s.subject.endsWith('.*')
            ? subject.startsWith(s.subject.slice(0, -1)) && !subject.slice(s.subject.length - 1).includes('.')
            : subject === s.subject;
          if (match) s.callback(null, { subject, data: payload });
        }
      },
      subscribe(subject, options) {
        const entry = { subject, callback: options.callback };
        subscriptions.add(entry);
        own.add(entry);
        return {
          unsubscribe: () => {
            subscriptions.delete(entry);
            own.delete(entry);
          },
        };
      },
      close() {
        this.closed = true;
        for (const entry of own) subscriptions.delete(entry);
        own.clear();
      },
    };
  }

  get subscribers(): number {
    return this.subscriptions.size;
  }
}
