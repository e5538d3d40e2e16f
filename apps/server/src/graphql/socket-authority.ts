import { CloseCode } from 'graphql-ws';
import { createSourceEventStream, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import { isAppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { AuthEpochs } from '../modules/auth/auth-epochs';
import type { GraphQLContext, Viewer } from './context';

/** How often every signed-in socket is checked even without a bump (expiry, changes made by the CLI). */
export const SOCKET_RECHECK_MS = 60_000;

/** Rebuilds an operation's context as the socket's credentials stand now (throws UNAUTHENTICATED for a dead token). */
export type Rebuild = () => Promise<GraphQLContext>;

/** What is needed of a socket: closing it, and hearing that it closed. */
type SocketLike = Pick<WebSocket, 'close' | 'once'>;

interface Holder {
  userId: string;
  /** Role and status when last checked: a change ends the socket's subscriptions (see guard). */
  key: string;
  rebuild: Rebuild;
}

const keyOf = (viewer: Viewer | null | undefined) =>
  viewer ? `${viewer.user.id}/${viewer.user.role}/${viewer.user.status}` : null;
/** Statuses that end what a socket may do; PENDING sockets may still read `me`. */
const ENDED = new Set(['DISABLED', 'REJECTED']);

/**
 * Keeps the GraphQL WebSocket within its user's current authority. Each operation is authorised
 * afresh (its context is rebuilt from the socket's token or session); this adds the two things a
 * long-lived socket needs besides:
 *
 * - When a user's authorization epoch moves (role or status changed, signed out, token revoked),
 *   that user's sockets are checked at once, and closed (4403) when their credentials no longer
 *   name an active user. A periodic check catches what sends no bump (a session or token that
 *   expired, a change made at the command line).
 * - Before a subscription delivers an event, it checks whether the epoch moved since it last
 *   looked; if so it runs the field's own `subscribe` checks again with a fresh context, and ends
 *   with their error (FORBIDDEN, UNAUTHENTICATED, NOT_FOUND) instead of delivering. An event that
 *   was already computed for the old authority is dropped.
 */
export class SocketAuthority {
  private readonly sockets = new Map<SocketLike, Holder>();
  private readonly byUser = new Map<string, Set<SocketLike>>();
  private readonly operations = new WeakMap<object, Holder>();
  private stopBumps: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly epochs: AuthEpochs,
    private readonly logger: Logger,
    private readonly recheckMs = SOCKET_RECHECK_MS,
  ) {}

  start(): void {
    this.stopBumps = this.epochs.onBump((userId) => {
      for (const socket of this.byUser.get(userId) ?? []) void this.check(socket, true);
    });
    this.timer = setInterval(() => {
      for (const socket of this.sockets.keys()) void this.check(socket, false);
    }, this.recheckMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopBumps?.();
    clearInterval(this.timer);
  }

  /** Records an operation's viewer (nothing for anonymous ones) and how to rebuild its context. */
  register(socket: SocketLike, contextValue: GraphQLContext, rebuild: Rebuild): void {
    const key = keyOf(contextValue.viewer);
    if (!key) return;
    const holder: Holder = { userId: contextValue.viewer!.user.id, key, rebuild };
    this.operations.set(contextValue, holder);
    if (this.sockets.has(socket)) return;
    this.sockets.set(socket, { ...holder });
    let users = this.byUser.get(holder.userId);
    if (!users) this.byUser.set(holder.userId, (users = new Set()));
    users.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      users.delete(socket);
      if (users.size === 0 && this.byUser.get(holder.userId) === users) this.byUser.delete(holder.userId);
    });
  }

  /** The subscription's results, each delivered only while its user's authority still allows it. */
  guard(source: AsyncIterableIterator<ExecutionResult>, args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
    const holder = this.operations.get(args.contextValue as object);
    if (!holder) return source;
    let epoch = this.epochs.current(holder.userId);
    let ended = false;
    const end = async (): Promise<IteratorResult<ExecutionResult>> => {
      ended = true;
      await source.return?.();
      return { value: undefined, done: true };
    };
    const guarded: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => guarded,
      next: async () => {
        if (ended) return { value: undefined, done: true };
        const result = await source.next();
        if (result.done || ended) return result;
        const now = this.epochs.current(holder.userId);
        if (now !== epoch) {
          epoch = now;
          const errors = await this.recheck(holder, args).catch(async (err: unknown) => {
            await end(); // a failed check must not leave the stream attached to the pub/sub
            throw err;
          });
          if (errors) {
            await end();
            return { value: { errors }, done: false };
          }
        }
        return result;
      },
      return: end,
      throw: async (err: unknown) => {
        await end();
        throw err;
      },
    };
    return guarded;
  }

  /** null while the subscription may go on; else the errors to end it with. */
  private async recheck(holder: Holder, args: ExecutionArgs): Promise<readonly GraphQLError[] | null> {
    let fresh: GraphQLContext;
    try {
      fresh = await holder.rebuild();
    } catch (e) {
      if (isAppError(e)) return [e.toGraphQLError()];
      throw e;
    }
    const source = await createSourceEventStream({ ...args, contextValue: fresh });
    if (!isAsyncIterable(source)) return source.errors ?? [];
    await source[Symbol.asyncIterator]().return?.();
    // Still allowed, but resolvers and filters were set up for the old role: start over.
    if (keyOf(fresh.viewer) !== holder.key) {
      return [
        new GraphQLError('Your permissions changed while this subscription was open; subscribe again.', {
          extensions: { code: 'FORBIDDEN' },
        }),
      ];
    }
    return null;
  }

  /** Closes the socket when its credentials no longer name an active user; notes role changes. */
  private async check(socket: SocketLike, bumped: boolean): Promise<void> {
    const holder = this.sockets.get(socket);
    if (!holder) return;
    let viewer: Viewer | null;
    try {
      viewer = (await holder.rebuild()).viewer;
    } catch (e) {
      if (!isAppError(e)) {
        this.logger.warn({ err: e }, 'could not re-check a WebSocket’s authority; trying again later');
        return;
      }
      viewer = null;
    }
    const user = viewer?.user;
    if (!user || user.id !== holder.userId || ENDED.has(user.status)) {
      this.logger.info({ userId: holder.userId }, 'closed a WebSocket whose sign-in or account ended');
      socket.close(CloseCode.Forbidden, 'Your sign-in ended; connect again.');
      return;
    }
    const key = keyOf(viewer)!;
    if (key === holder.key) return;
    holder.key = key;
    if (!bumped) this.epochs.bumpHere(user.id); // changed without a bump reaching us
  }
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof (x as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}
