import { describe, expect, it } from 'vitest';
import { mergeSlashes } from '../../src/plugins/merge-slashes.js';

describe('mergeSlashes', () => {
  it('merges every run of slashes in the path, and only there', () => {
    expect(mergeSlashes('/compute/v2.1//limits')).toBe('/compute/v2.1/limits');
    expect(mergeSlashes('//identity///v3//auth//tokens')).toBe('/identity/v3/auth/tokens');
    expect(mergeSlashes('/image/v2//images?marker=a//b&name=x%2F%2Fy')).toBe(
      '/image/v2/images?marker=a//b&name=x%2F%2Fy',
    );
    expect(mergeSlashes('/image/v2/images/a%2F%2Fb')).toBe('/image/v2/images/a%2F%2Fb');
    expect(mergeSlashes('/compute/v2.1/servers?x=//')).toBe('/compute/v2.1/servers?x=//');
    expect(mergeSlashes('/')).toBe('/');
  });
});
