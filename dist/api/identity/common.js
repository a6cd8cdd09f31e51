import { baseUrl } from '../urls.js';
/** Absolute `…/identity/v3` for links. */
export const v3Url = (req, publicUrl) => `${baseUrl(req, publicUrl)}/identity/v3`;
/** The request's own absolute URL (a list's `links.self`). */
export const selfUrl = (req, publicUrl) => `${baseUrl(req, publicUrl)}${req.url}`;
/** Keystone's reading of a boolean query filter: `?x` and true words are true. */
export function queryBool(value) {
    if (value === undefined)
        return undefined;
    const v = String(Array.isArray(value) ? value[value.length - 1] : value)
        .trim()
        .toLowerCase();
    if (v === '')
        return true;
    return !['0', 'false', 'f', 'no', 'n', 'off'].includes(v);
}
/** A single-valued string query parameter (the last one when repeated). */
export function queryString(value) {
    if (value === undefined)
        return undefined;
    return String(Array.isArray(value) ? value[value.length - 1] : value);
}
const idParam = { type: 'string', minLength: 1, maxLength: 255 };
export const params = (...names) => ({
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, idParam])),
});
//# sourceMappingURL=common.js.map