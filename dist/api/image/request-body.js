import { BadRequest, RequestEntityTooLarge } from '../../errors.js';
const MAX_JSON_BYTES = 1024 * 1024;
function isStream(v) {
    return (typeof v === 'object' &&
        v !== null &&
        typeof v.pipe === 'function' &&
        typeof v.on === 'function');
}
export async function jsonBody(body) {
    if (!isStream(body))
        return body ?? null;
    const chunks = [];
    let size = 0;
    for await (const chunk of body) {
        size += chunk.length;
        if (size > MAX_JSON_BYTES) {
            body.destroy();
            throw new RequestEntityTooLarge('Request Entity Too Large');
        }
        chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '')
        return null;
    try {
        return JSON.parse(text);
    }
    catch {
        throw new BadRequest('Malformed request body');
    }
}
/** Drains an unused body stream so the connection can be reused. */
export function discardBody(body) {
    if (isStream(body))
        body.resume();
}
export { isStream };
//# sourceMappingURL=request-body.js.map