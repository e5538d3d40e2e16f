import { randomUUID } from 'node:crypto';
import type { PubSub } from '../../lib/pubsub';

/**
 * An authorization epoch per user: a counter bumped whenever what the user may do changes (role or
 * status, sign-out, an API token revoked, a session found expired). Long-lived connections (the
 * GraphQL WebSocket) remember the epoch they last checked and check again when it moved, so an open
 * socket never outlives the authority it was opened with.
 *
 * Bumps travel over the pub/sub, so every replica's sockets see them; each process counts on its
 * own (only change matters, not the value).
 */
export class AuthEpochs {
  private readonly epochs = new Map<string, number>();
  private readonly listeners = new Set<(userId: string) => void>();
  /** Tells our own bumps apart when the pub/sub hands them back. */
  private readonly origin = randomUUID();

  constructor(private readonly pubsub: PubSub) {}

  /** The user's epoch in this process (0 until a first bump). */
  current(userId: string): number {
    return this.epochs.get(userId) ?? 0;
  }

  /** Something about the user's authority changed: every process re-checks that user's sockets. */
  bump(userId: string): void {
    this.bumpHere(userId);
    this.pubsub.publish('auth:changed', { userId, origin: this.origin });
  }

  /** Bumps in this process only (a change found here, e.g. a session that expired). */
  bumpHere(userId: string): void {
    this.epochs.set(userId, this.current(userId) + 1);
    for (const l of this.listeners) l(userId);
  }

  /** Calls `listener` after each bump of any user; returns the unsubscribe function. */
  onBump(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Receives other processes' bumps (servers that hold sockets call this once). Returns the
   * function that stops listening.
   */
  listen(): () => Promise<void> {
    const events = this.pubsub.subscribe('auth:changed')[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const { value, done } = await events.next();
        if (done) return;
        if (typeof value?.userId === 'string' && value.origin !== this.origin) this.bumpHere(value.userId);
      }
    })();
    return async () => void (await events.return?.());
  }
}
