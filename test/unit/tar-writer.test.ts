// The in-memory tar of injected files, read back by GNU tar: names (long ones through PAX), bytes,
// mode 0644, owner 0, no directory entries; paths normalised, and a path naming no file refused.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archivePath, tarOf } from '../../src/virt/tar-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-tar-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tarOf', () => {
  it('GNU tar lists and extracts every file with its bytes, mode 0644 and owner 0', () => {
    const long = `opt/${'a'.repeat(80)}/${'b'.repeat(80)}/file.txt`;
    const binary = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const tar = tarOf(
      [
        { path: '/etc/motd', contents: Buffer.from('hello\n') },
        { path: `/${long}`, contents: Buffer.from('long') },
        { path: '/data/blob', contents: binary },
        { path: '/empty', contents: Buffer.alloc(0) },
      ],
      1_700_000_000,
    );
    expect(tar.length % 512).toBe(0);
    const file = path.join(dir, 'x.tar');
    fs.writeFileSync(file, tar);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toHaveLength(4);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- 0\/0 /);
    expect(listing.map((l) => l.split(' ').pop())).toEqual(['etc/motd', long, 'data/blob', 'empty']);
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    expect(fs.readFileSync(path.join(out, 'etc/motd'), 'utf8')).toBe('hello\n');
    expect(fs.readFileSync(path.join(out, long), 'utf8')).toBe('long');
    expect(fs.readFileSync(path.join(out, 'data/blob')).equals(binary)).toBe(true);
    expect(fs.statSync(path.join(out, 'empty')).size).toBe(0);
  });

  it('paths are made relative to / and cannot climb above it; one naming no file is refused', () => {
    expect(archivePath('/etc//motd')).toBe('etc/motd');
    expect(archivePath('relative/x')).toBe('relative/x');
    expect(archivePath('/../../etc/./passwd')).toBe('etc/passwd');
    for (const p of ['/', '', '/..', '/./']) expect(() => archivePath(p)).toThrow(/injected file path not valid/);
  });
});
