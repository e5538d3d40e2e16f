import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../lib/logger';

export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** How often an idle socket is pinged; one that does not answer by the next ping is dropped. */
const KEEP_ALIVE_MS = 12_000;

/**
 * graphql-ws on a `ws` server: what `graphql-ws/use/ws` does, except that nothing a client sends
 * reaches the console or counts as our failure. A message of a type only servers send closes the
 * socket as a bad request (4400) like any other invalid message (the library would close with
 * 4500, "internal error"); a frame over the size limit is closed by `ws` (1009) and noted in our
 * log; a real failure while handling a message is logged with its stack and closes the socket with
 * 4500 and a reason that says nothing more.
 */
export function serveGraphqlWs<P extends Record<string, unknown>>(
  options: ServerOptions<P, SocketExtra>,
  wss: WebSocketServer,
  logger: Logger,
): { dispose(): Promise<void> } {
  const server = makeServer<P, SocketExtra>(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (err) => logger.error({ err }, 'WebSocket server error'));
  wss.on('connection', (socket, request) => {
    // ws has already closed the socket (1009 too big, 1002 protocol error) when it reports these.
    socket.once('error', (err) => {
      logger.warn({ err }, 'WebSocket closed: the client broke the protocol');
      socket.close(CloseCode.BadRequest, 'Invalid message received');
    });
    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (data) => {
            try {
              await cb(String(data as Buffer));
            } catch (err) {
              if (err instanceof Error && err.message.startsWith('Unexpected message of type')) {
                socket.close(CloseCode.BadRequest, 'Invalid message received');
                return;
              }
              logger.error({ err }, 'GraphQL WebSocket message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });
  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
