// The serial console's websocket (GET /compute/console/serial?token=… with Upgrade: websocket).
// The token is taken once; the socket then carries an interactive shell with a TTY in the
// container (docker exec /bin/sh): binary or text frames in → the shell's stdin, its output →
// binary frames out. The socket closes when the token's lifetime ends, when the shell ends,
// and when the server stops or is deleted (checked every CHECK_MS).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../../../composition/services.js';
import { SERIAL_CONSOLE_PATH, type ConsoleConnection } from '../../../compute/servers/actions/console.js';

const CHECK_MS = 2000;

export async function serialConsoleSocket(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const consoles = opts.services.serialConsoles;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  const open = new Set<WebSocket>();

  const refuse = (socket: Duplex, code: number, text: string) => {
    socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SERIAL_CONSOLE_PATH) return;
    const token = url.searchParams.get('token') ?? '';
    void consoles.consume(token).then(
      (conn) => {
        if (!conn) return refuse(socket, 401, 'Unauthorized');
        wss.handleUpgrade(req, socket, head, (ws) => {
          open.add(ws);
          void bridge(ws, conn).finally(() => open.delete(ws));
        });
      },
      () => refuse(socket, 500, 'Internal Server Error'),
    );
  };

  const bridge = async (ws: WebSocket, conn: ConsoleConnection): Promise<void> => {
    let session;
    try {
      session = await conn.open();
    } catch {
      ws.close(1011, 'console unavailable');
      return;
    }
    const s = session;
    let closed = false;
    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      clearTimeout(expiry);
      clearInterval(watch);
      s.close();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    const expiry = setTimeout(
      () => finish(1000, 'console token expired'),
      Math.max(0, conn.expiresAt.getTime() - Date.now()),
    );
    const watch = setInterval(() => {
      consoles.stillServing(conn.instance.uuid).then(
        (ok) => {
          if (!ok) finish(1000, 'server stopped');
        },
        () => undefined,
      );
    }, CHECK_MS);
    s.output.on('data', (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    });
    s.output.on('end', () => finish(1000, 'console closed'));
    s.output.on('close', () => finish(1000, 'console closed'));
    s.output.on('error', () => finish(1011, 'console error'));
    ws.on('message', (data: Buffer | string) => {
      if (!closed) s.write(Buffer.isBuffer(data) ? data : Buffer.from(String(data)));
    });
    ws.on('close', () => finish(1000, 'client closed'));
    ws.on('error', () => finish(1011, 'socket error'));
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));
  };

  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    for (const ws of open) ws.terminate();
    wss.close();
  });
}
