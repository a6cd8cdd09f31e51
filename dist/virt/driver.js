export const CONTAINER_PREFIX = 'nova-';
export const containerName = (instanceUuid) => `${CONTAINER_PREFIX}${instanceUuid}`;
/** Labels put on every container this service creates. */
export const LABELS = {
    managedBy: 'io.novadock.managed-by',
    instanceUuid: 'io.novadock.instance-uuid',
    projectId: 'io.novadock.project-id',
    serviceId: 'io.novadock.service-id',
};
export const MANAGED_BY = 'novadock';
/** The last `n` lines of `text`, each ending in a newline (Nova's console-output `length`). */
export function lastLines(text, n) {
    if (n === undefined)
        return text;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '')
        lines.pop();
    return lines
        .slice(Math.max(0, lines.length - n))
        .map((l) => l + '\n')
        .join('');
}
//# sourceMappingURL=driver.js.map