import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { createInProcessPubSub } from '../lib/pubsub';
import { AuthEpochs } from '../modules/auth/auth-epochs';
import type { GraphQLContext } from './context';
import { SocketAuthority } from './socket-authority';

// The periodic check: what changes without anyone bumping the epoch (a session or token that
// expired, a role changed at the command line) still reaches open sockets.

class FakeSocket extends EventEmitter {
  closedWith: [number | undefined, string | undefined] | null = null;
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.emit('close');
  }
}

const contextOf = (user: { id: string; role: string; status: string } | null) =>
  ({ viewer: user ? { user, via: 'session' } : null }) as unknown as GraphQLContext;

let authority: SocketAuthority | undefined;
afterEach(() => authority?.stop());

describe('SocketAuthority periodic check', () => {
  it('closes a socket whose session ended without a bump (expiry) with 4403', async () => {
    const epochs = new AuthEpochs(createInProcessPubSub());
    authority = new SocketAuthority(epochs, createLogger('silent'), 20);
    authority.start();
    let current = contextOf({ id: 'u1', role: 'USER', status: 'ACTIVE' });
    const socket = new FakeSocket();
    authority.register(socket as never, current, async () => current);
    await new Promise((r) => setTimeout(r, 60));
    expect(socket.closedWith).toBeNull();
    current = contextOf(null); // the session store no longer has it
    await expect.poll(() => socket.closedWith).toEqual([4403, 'Your sign-in ended; connect again.']);
  });

  it('moves the epoch when a role changed without a bump, so running subscriptions check again', async () => {
    const epochs = new AuthEpochs(createInProcessPubSub());
    authority = new SocketAuthority(epochs, createLogger('silent'), 20);
    authority.start();
    let current = contextOf({ id: 'u2', role: 'ADMIN', status: 'ACTIVE' });
    const socket = new FakeSocket();
    authority.register(socket as never, current, async () => current);
    const before = epochs.current('u2');
    current = contextOf({ id: 'u2', role: 'USER', status: 'ACTIVE' });
    await expect.poll(() => epochs.current('u2')).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 60));
    expect(epochs.current('u2')).toBe(before + 1); // once per change, not at every check
    expect(socket.closedWith).toBeNull();
  });
});
