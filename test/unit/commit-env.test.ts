// The Env a snapshot's commit is given: the image's own values come back, the container's
// additions (server metadata) are listed bare so Docker drops them.
import { describe, expect, it } from 'vitest';
import { envRestoringImage } from '../../src/virt/docker/commit-env.js';

describe('envRestoringImage', () => {
  const image = ['PATH=/bin', 'LANG=C'];
  it('undoes additions and overrides, leaves the image values alone', () => {
    expect(envRestoringImage(['PATH=/opt', 'LANG=C', 'SECRET=s3', 'app.tier=web'], image)).toEqual([
      'PATH=/bin',
      'SECRET',
      'app.tier',
    ]);
  });
  it('nothing added: nothing to undo', () => {
    expect(envRestoringImage(image, image)).toEqual([]);
  });
  it('a value holding "=" and a bare entry left by an earlier snapshot', () => {
    expect(envRestoringImage(['PATH=/bin', 'X=a=b', 'OLD'], ['PATH=/bin', 'OLD'])).toEqual(['X']);
  });
});
