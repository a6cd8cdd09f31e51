export function baseUrl(req, publicUrl) {
    if (publicUrl)
        return publicUrl;
    const host = req.headers.host ?? `${req.hostname}`;
    return `${req.protocol}://${host}`;
}
export const COMPUTE_PREFIX = '/compute/v2.1';
export const IMAGE_PREFIX = '/image';
export const IDENTITY_PREFIX = '/identity';
//# sourceMappingURL=urls.js.map