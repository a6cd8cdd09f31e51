// In the modes without Keystone (noauth2) a client has one endpoint for everything, so nova's image
// lookups land on the compute endpoint: `nova boot --image NAME` sends GET {compute}/v2/images?name=NAME
// and GET {compute}/v2/images/{id} (openstack-contract.md §3). In noauth2 mode those two Glance reads
// are served there too: the URL is rewritten to the Glance route before routing, so it is the same
// route (same handler, policy and Glance error format), not a copy. Only reads: nothing is created,
// changed or uploaded through the compute prefix, and the keystone mode never rewrites.
const ALIASED = /^\/compute\/v2\.1\/v2\/images(\/[^/?]+)?(\?.*)?$/;
/** /compute/v2.1/v2/images[/{id}][?q] → /image/v2/images[/{id}][?q] for GET and HEAD; other URLs unchanged. */
export function aliasGlanceReadsUnderCompute(method, url) {
    if (method !== 'GET' && method !== 'HEAD')
        return url;
    const m = ALIASED.exec(url);
    return m ? `/image/v2/images${m[1] ?? ''}${m[2] ?? ''}` : url;
}
//# sourceMappingURL=compute-prefix-alias.js.map