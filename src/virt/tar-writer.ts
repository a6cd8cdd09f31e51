// A minimal in-memory tar (POSIX ustar) of regular files, for Docker's "put archive" (the
// injected files of server create). Docker extracts it at / and creates missing parent
// directories itself (0755), so no directory entries are written: one would also reset the mode
// and owner of an existing directory such as /etc or /tmp. Paths longer than ustar's 100-byte
// name field go in a PAX extended header.
import type { InjectedFile } from './driver.js';

const BLOCK = 512;

/** The path inside the archive: relative to /, normalised; "../" cannot climb above the root. */
export function archivePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  if (parts.length === 0) throw new Error(`injected file path not valid: ${JSON.stringify(path)}`);
  return parts.join('/');
}

/** A tar of `files` (mode 0644, uid/gid 0), later files replacing earlier ones at the same path. */
export function tarOf(files: readonly InjectedFile[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const name = archivePath(f.path);
    if (Buffer.byteLength(name) > 100) {
      const pax = paxRecord('path', name);
      chunks.push(header('PaxHeader', pax.length, 'x', mtime), pad(pax));
    }
    chunks.push(header(name, f.contents.length, '0', mtime), pad(f.contents));
  }
  chunks.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return Buffer.concat(chunks);
}

/** "<len> key=value\n", where <len> counts itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

function header(name: string, size: number, type: '0' | 'x', mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(name);
  nameBytes.copy(h, 0, 0, Math.min(100, nameBytes.length)); // a long name's full form is in the PAX header
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum counts as spaces while it is computed
  h.write(type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  return h;
}

function octal(h: Buffer, offset: number, width: number, value: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, 'ascii');
}
