// Docker's streaming endpoints (events, load, import, build) answer newline-delimited JSON, and a
// chunk boundary may fall anywhere: inside a line, or inside a multi-byte UTF-8 character.
import { StringDecoder } from 'node:string_decoder';
export function lineSplitter(onLine) {
    const decoder = new StringDecoder('utf8');
    let buf = '';
    const drain = () => {
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).replace(/\r$/, '');
            buf = buf.slice(i + 1);
            if (line.trim())
                onLine(line);
        }
    };
    return {
        push(chunk) {
            buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
            drain();
        },
        flush() {
            buf += decoder.end();
            drain();
            const rest = buf.trim();
            buf = '';
            if (rest)
                onLine(rest);
        },
    };
}
/** Parses one line as a JSON object; anything else (garbage, arrays, partial lines) is undefined. */
export function parseJsonLine(line) {
    try {
        const v = JSON.parse(line);
        return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=ndjson.js.map