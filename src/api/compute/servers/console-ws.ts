// The serial console's websocket (GET /compute/console/serial?token=… with Upgrade: websocket).
// The token is taken once; the socket then carries an interactive shell with a TTY in the
// container (docker exec /bin/sh): binary or text frames in → the shell's stdin, its output →
// binary frames out. With the terminal page's subprotocol (novadock.terminal) only binary frames
// are keystrokes, and a text frame is a JSON control: {"resize": [cols, rows]} sizes the TTY.
// The socket closes when the token's lifetime ends, when the shell ends,
// and when the server stops or is deleted (checked every CHECK_MS).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../../../composition/services.js';
import { SERIAL_CONSOLE_PATH, type ConsoleConnection } from '../../../compute/servers/actions/console.js';
import { TERMINAL_PROTOCOL } from './console-page.js';

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
    // Listen before the shell is open (docker exec takes a moment): what the client sends meanwhile
    // (the terminal page sends its size at once) is kept and delivered in order, and a client that
    // leaves meanwhile gets its shell closed as soon as it exists.
    const early: Array<{ bytes: Buffer; isBinary: boolean }> = [];
    let deliver: ((bytes: Buffer, isBinary: boolean) => void) | null = null;
    let clientGone = false;
    const gone = new Promise<void>((resolve) =>
      ws.once('close', () => {
        clientGone = true;
        resolve();
      }),
    );
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer | string, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
      if (deliver) deliver(bytes, isBinary);
      else early.push({ bytes, isBinary });
    });
    let session: Awaited<ReturnType<ConsoleConnection['open']>>;
    try {
      session = await conn.open();
    } catch {
      ws.close(1011, 'console unavailable');
      return;
    }
    const s = session;
    if (clientGone) {
      s.close();
      return;
    }
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
    const terminal = ws.protocol === TERMINAL_PROTOCOL;
    const control = (text: string) => {
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return;
      }
      const size = (msg as { resize?: unknown } | null)?.resize;
      if (!Array.isArray(size) || size.length !== 2) return;
      const [cols, rows] = size as unknown[];
      const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 1000;
      if (ok(cols) && ok(rows)) s.resize(cols, rows).catch(() => undefined);
    };
    deliver = (bytes, isBinary) => {
      if (closed) return;
      if (terminal && !isBinary) control(bytes.toString('utf8'));
      else s.write(bytes);
    };
    for (const m of early.splice(0)) deliver(m.bytes, m.isBinary);
    ws.on('close', () => finish(1000, 'client closed'));
    ws.on('error', () => finish(1011, 'socket error'));
    await gone;
  };

  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    for (const ws of open) ws.terminate();
    wss.close();
  });
}
