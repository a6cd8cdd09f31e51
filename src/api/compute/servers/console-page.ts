// The browser console: GET /compute/console/terminal?token=… (the URL a vnc/novnc grant gives, which
// Horizon's Console tab shows in an iframe) is a page with a terminal (xterm.js, from npm, served by
// this service under /compute/console/assets/, no CDN) attached to the server's shell through the
// console websocket (./console-ws.ts) with the same one-time token. The http(s) form of a serial
// grant's ws:// URL serves the same page. Loading the page does not take the token, the websocket
// does; an unknown, used or expired token gets a page that says so (404/410), never a hang.
// No Keystone token is needed: the console token is the credential (as Nova's console proxies).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { NotFound } from '../../../errors.js';
import {
  CONSOLE_TOKEN_TTL_S,
  SERIAL_CONSOLE_PATH,
  TERMINAL_PAGE_PATH,
  type TokenState,
} from '../../../compute/servers/actions/console.js';

export const CONSOLE_ASSETS_PATH = '/compute/console/assets';
/** The websocket subprotocol of the terminal page: binary frames carry keystrokes, text frames JSON controls. */
export const TERMINAL_PROTOCOL = 'novadock.terminal';

/** The page's own script: a terminal on the websocket, its size sent on every resize. */
const TERMINAL_JS = `(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var token = params.get('token') || '';
  var title = params.get('title');
  if (title) document.title = 'Console: ' + title;
  var status = document.getElementById('status');
  function say(cls, text) { status.className = cls; status.textContent = text; }
  var term = new Terminal({ cursorBlink: true, scrollback: 5000, fontSize: 14,
    fontFamily: 'DejaVu Sans Mono, Liberation Mono, monospace' });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(document.getElementById('terminal'));
  fit.fit();
  term.focus();
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
    location.pathname.replace(/\\/[^/]*$/, '/serial') + '?token=' + encodeURIComponent(token);
  var ws = new WebSocket(url, [${JSON.stringify(TERMINAL_PROTOCOL)}]);
  ws.binaryType = 'arraybuffer';
  var opened = false;
  var encoder = new TextEncoder();
  function sendSize() { if (ws.readyState === 1) ws.send(JSON.stringify({ resize: [term.cols, term.rows] })); }
  ws.onopen = function () { opened = true; say('connected', 'Connected'); sendSize(); };
  ws.onmessage = function (e) { term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data)); };
  ws.onclose = function (e) {
    term.options.disableStdin = true;
    if (opened) say('closed', 'Console closed' + (e.reason ? ' (' + e.reason + ')' : '') +
      '. The server keeps running; ask for a new console to connect again.');
    else say('closed', 'This console link cannot be used: it has already been used, it has expired, ' +
      'or the server is not running. Ask for a new console.');
  };
  term.onData(function (d) { if (ws.readyState === 1) ws.send(encoder.encode(d)); });
  term.onResize(sendSize);
  window.addEventListener('resize', function () { fit.fit(); });
  window.addEventListener('focus', function () { term.focus(); });
})();
`;

const STYLE = `html, body { height: 100%; margin: 0; background: #000; color: #ddd; font: 14px sans-serif; }
#status { position: fixed; top: 0; left: 0; right: 0; height: 22px; line-height: 22px; padding: 0 8px;
  background: #333; font-size: 12px; z-index: 2; }
#status.connected { background: #1d4d1d; } #status.closed { background: #6b1d1d; }
#terminal { position: absolute; top: 22px; left: 0; right: 0; bottom: 0; padding: 2px; }
main { max-width: 48em; margin: 3em auto; padding: 0 1em; line-height: 1.5; } code { color: #fff; }`;

const page = (body: string, head = '') =>
  `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Console</title>${head}<style>${STYLE}</style></head>` +
  `<body>${body}</body></html>\n`;

const TERMINAL_PAGE = page(
  `<div id="status" role="status">Connecting…</div><div id="terminal"></div>` +
    `<script src="assets/xterm.js"></script><script src="assets/addon-fit.js"></script>` +
    `<script src="assets/terminal.js"></script>`,
  `<link rel="stylesheet" href="assets/xterm.css">`,
);

const REFUSALS: Record<Exclude<TokenState, 'valid'>, { status: number; title: string; text: string }> = {
  used: {
    status: 410,
    title: 'This console link has already been used',
    text: 'Each console link connects once. The first connection still has it, or has closed it; the server keeps running.',
  },
  expired: {
    status: 410,
    title: 'This console link has expired',
    text: `A console link must be opened within ${CONSOLE_TOKEN_TTL_S / 60} minutes of being issued.`,
  },
  unknown: {
    status: 404,
    title: 'This console link is not valid',
    text: 'No console was issued with this token (or it expired and was forgotten).',
  },
  gone: {
    status: 404,
    title: 'The server of this console is gone',
    text: 'The server was deleted or is not on a host any more.',
  },
};

const refusalPage = (state: Exclude<TokenState, 'valid'>) => {
  const r = REFUSALS[state];
  return {
    status: r.status,
    html: page(
      `<main><h1>${r.title}</h1><p>${r.text}</p><p>Ask for a new console: the Console tab of the instance in ` +
        `the dashboard, or <code>openstack console url show SERVER</code>.</p></main>`,
    ),
  };
};

interface Asset {
  body: Buffer | string;
  type: string;
}

/** xterm.js and its fit addon as npm installed them (browser bundles), plus the page's script. */
function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const xtermLib = path.dirname(require.resolve('@xterm/xterm'));
  const fitLib = path.dirname(require.resolve('@xterm/addon-fit'));
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, Asset>([
    ['xterm.js', { body: fs.readFileSync(path.join(xtermLib, 'xterm.js')), type: js }],
    [
      'xterm.css',
      { body: fs.readFileSync(path.join(xtermLib, '..', 'css', 'xterm.css')), type: 'text/css; charset=utf-8' },
    ],
    ['addon-fit.js', { body: fs.readFileSync(path.join(fitLib, 'addon-fit.js')), type: js }],
    ['terminal.js', { body: TERMINAL_JS, type: js }],
  ]);
}

/** No Keystone token; cached nowhere (the URL carries a credential); framed by any dashboard. */
function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; " +
        "font-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    );
}

export async function consolePageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const consoles = opts.services.serialConsoles;
  const assets = loadAssets();
  const doc = (summary: string) => ({ tags: ['compute'], summary });

  const serve = async (req: { query: unknown }, reply: FastifyReply) => {
    const token = (req.query as { token?: unknown }).token;
    const state: TokenState =
      typeof token === 'string' && token.length > 0 && token.length <= 256 ? await consoles.peek(token) : 'unknown';
    if (state === 'valid') return htmlHeaders(reply).send(TERMINAL_PAGE);
    const refusal = refusalPage(state);
    return htmlHeaders(reply).code(refusal.status).send(refusal.html);
  };

  app.get(
    TERMINAL_PAGE_PATH,
    {
      config: { public: true },
      schema: doc('The browser console page of a vnc/novnc grant (?token=…; no Keystone token)'),
    },
    serve,
  );
  // the http(s) form of a serial grant's ws:// URL (a websocket upgrade of it never reaches a route)
  app.get(
    SERIAL_CONSOLE_PATH,
    {
      config: { public: true },
      schema: doc('The serial console: the browser page over http(s), the shell over a websocket'),
    },
    serve,
  );

  app.get<{ Params: { file: string } }>(
    `${CONSOLE_ASSETS_PATH}/:file`,
    { config: { public: true }, schema: doc("The browser console's scripts and stylesheet (xterm.js from npm)") },
    async (req, reply) => {
      const asset = assets.get(req.params.file);
      if (!asset) throw new NotFound('No such console asset.');
      return reply.type(asset.type).header('Cache-Control', 'public, max-age=3600').send(asset.body);
    },
  );
}
