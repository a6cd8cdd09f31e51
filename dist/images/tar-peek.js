// Reads the entry headers of a tar archive without extracting it, to tell a `docker save`
// archive (legacy `manifest.json`/`repositories`, or OCI `index.json`/`oci-layout`) from a plain
// root-filesystem tarball (`docker export` layout). Only 512-byte headers are read: entry data
// is skipped (seeked over on a plain file, streamed past when gzip-compressed).
import fsp from 'node:fs/promises';
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
export class NotATarArchive extends Error {
}
const BLOCK = 512;
/** Top-level names that only a `docker save` archive has. */
const DOCKER_ARCHIVE_MARKERS = new Set(['manifest.json', 'repositories', 'index.json', 'oci-layout']);
/** Enough for any real root filesystem; bounds the time spent on a hostile archive. */
const MAX_ENTRIES = 500_000;
class FileSource {
    handle;
    pos = 0;
    constructor(handle) {
        this.handle = handle;
    }
    async read(n) {
        const buf = Buffer.alloc(n);
        let got = 0;
        while (got < n) {
            const { bytesRead } = await this.handle.read(buf, got, n - got, this.pos + got);
            if (bytesRead === 0)
                break;
            got += bytesRead;
        }
        this.pos += got;
        return buf.subarray(0, got);
    }
    async skip(n) {
        this.pos += n;
    }
    close() {
        return this.handle.close();
    }
}
/** Pulls from an async iterator of chunks (the gunzipped stream). */
class StreamSource {
    it;
    onClose;
    pending = Buffer.alloc(0);
    done = false;
    constructor(it, onClose) {
        this.it = it;
        this.onClose = onClose;
    }
    async fill(n) {
        while (this.pending.length < n && !this.done) {
            const r = await this.it.next();
            if (r.done)
                this.done = true;
            else
                this.pending = this.pending.length ? Buffer.concat([this.pending, r.value]) : r.value;
        }
    }
    async read(n) {
        await this.fill(n);
        const out = this.pending.subarray(0, n);
        this.pending = this.pending.subarray(out.length);
        return out;
    }
    async skip(n) {
        while (n > 0) {
            if (this.pending.length === 0) {
                await this.fill(1);
                if (this.pending.length === 0)
                    return;
            }
            const k = Math.min(n, this.pending.length);
            this.pending = this.pending.subarray(k);
            n -= k;
        }
    }
    async close() {
        this.onClose();
    }
}
function octal(buf, off, len) {
    // GNU base-256 for large sizes: high bit of the first byte set.
    if (buf[off] & 0x80) {
        let v = 0;
        for (let i = off + 1; i < off + len; i++)
            v = v * 256 + buf[i];
        return v;
    }
    const text = buf
        .toString('latin1', off, off + len)
        .replace(/\0.*$/s, '')
        .trim();
    if (text === '')
        return 0;
    if (!/^[0-7]+$/.test(text))
        throw new NotATarArchive(`bad octal field "${text}"`);
    return parseInt(text, 8);
}
function checksumOk(header) {
    let stored;
    try {
        stored = octal(header, 148, 8);
    }
    catch {
        return false;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? 32 : header[i];
    return sum === stored;
}
function cstring(buf, off, len) {
    const raw = buf.subarray(off, off + len);
    const end = raw.indexOf(0);
    return raw.toString('utf8', 0, end === -1 ? len : end);
}
/** Top-level name of an entry: "./manifest.json" and "manifest.json" both give "manifest.json". */
function topLevelFile(name) {
    const clean = name.replace(/^\.\//, '').replace(/^\/+/, '');
    return clean.includes('/') ? null : clean;
}
function paxPath(data) {
    // records: "<len> key=value\n"
    let off = 0;
    while (off < data.length) {
        const sp = data.indexOf(0x20, off);
        if (sp === -1)
            break;
        const len = parseInt(data.toString('ascii', off, sp), 10);
        if (!len)
            break;
        const rec = data.toString('utf8', sp + 1, off + len - 1);
        const eq = rec.indexOf('=');
        if (rec.slice(0, eq) === 'path')
            return rec.slice(eq + 1);
        off += len;
    }
    return null;
}
async function scan(src) {
    let entries = 0;
    let longName = null;
    while (entries < MAX_ENTRIES) {
        const header = await src.read(BLOCK);
        if (header.length === 0 && entries > 0)
            break; // end without the two zero blocks: tolerated
        if (header.length < BLOCK)
            throw new NotATarArchive(entries === 0 ? 'the file is empty or shorter than one tar header' : 'the archive is truncated');
        if (header.every((b) => b === 0)) {
            if (entries === 0)
                throw new NotATarArchive('the archive has no entries');
            break;
        }
        if (!checksumOk(header))
            throw new NotATarArchive(entries === 0 ? 'the file does not start with a tar header' : `tar header ${entries + 1} is corrupt`);
        let size;
        try {
            size = octal(header, 124, 12);
        }
        catch {
            throw new NotATarArchive(`tar header ${entries + 1} has a corrupt size`);
        }
        const type = String.fromCharCode(header[156] || 0x30);
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'x') {
            // GNU long name / pax extended header: the next entry's real name is in the data.
            const data = await src.read(padded);
            if (data.length < padded)
                throw new NotATarArchive('the archive is truncated');
            longName = type === 'L' ? cstring(data, 0, size) : (paxPath(data.subarray(0, size)) ?? longName);
            continue;
        }
        if (type === 'g') {
            await src.skip(padded);
            continue;
        }
        entries++;
        const prefix = header.toString('latin1', 257, 263).startsWith('ustar') ? cstring(header, 345, 155) : '';
        const name = longName ?? (prefix ? `${prefix}/${cstring(header, 0, 100)}` : cstring(header, 0, 100));
        longName = null;
        const top = topLevelFile(name);
        if (top && (type === '0' || type === '\0' || type === '7') && DOCKER_ARCHIVE_MARKERS.has(top)) {
            return { kind: 'docker-archive', entries };
        }
        await src.skip(padded);
    }
    return { kind: 'rootfs', entries };
}
/** Classifies the tar archive (optionally gzip-compressed) in `file`. Throws NotATarArchive. */
export async function peekTarFile(file) {
    const handle = await fsp.open(file, 'r');
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
        await handle.close();
        const raw = fs.createReadStream(file);
        const gunzip = createGunzip();
        raw.pipe(gunzip);
        raw.on('error', (e) => gunzip.destroy(e));
        const src = new StreamSource(gunzip[Symbol.asyncIterator](), () => {
            raw.destroy();
            gunzip.destroy();
        });
        try {
            return { ...(await scan(src)), compressed: true };
        }
        catch (err) {
            if (err instanceof NotATarArchive)
                throw err;
            throw new NotATarArchive(`the gzip data is corrupt (${err.message})`);
        }
        finally {
            await src.close();
        }
    }
    const src = new FileSource(handle);
    try {
        return { ...(await scan(src)), compressed: false };
    }
    finally {
        await src.close();
    }
}
//# sourceMappingURL=tar-peek.js.map