// Builds small tar archives in memory for image tests: a `docker save`-like archive (manifest.json,
// repositories, a layer) or a root-filesystem tarball. Real ustar headers, so the importer's
// header parser and Docker itself can read them.
import { createHash } from 'node:crypto';

export interface TarEntry {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'dir';
}

function header(name: string, size: number, type: 'file' | 'dir'): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(type === 'dir' ? '0000755\0' : '0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type === 'dir' ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

export function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'dir' ? Buffer.alloc(0) : Buffer.from(e.data ?? '');
    parts.push(header(e.name, data.length, type), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A root filesystem with a shell script as /bin/sh-less content (enough for the header parser). */
export function makeRootfsTar(): Buffer {
  return makeTar([
    { name: './', type: 'dir' },
    { name: './etc/', type: 'dir' },
    { name: './etc/hostname', data: 'rootfs\n' },
    { name: './bin/', type: 'dir' },
  ]);
}

/** A legacy `docker save` archive layout (the fake driver does not unpack it; Docker would need a real layer). */
export function makeDockerSaveLikeTar(): Buffer {
  const layer = makeTar([{ name: 'hello.txt', data: 'hi' }]);
  const layerId = createHash('sha256').update(layer).digest('hex');
  return makeTar([
    { name: `${layerId}/`, type: 'dir' },
    { name: `${layerId}/layer.tar`, data: layer },
    {
      name: 'manifest.json',
      data: JSON.stringify([{ Config: 'config.json', RepoTags: ['x:y'], Layers: [`${layerId}/layer.tar`] }]),
    },
    { name: 'repositories', data: '{}' },
  ]);
}
