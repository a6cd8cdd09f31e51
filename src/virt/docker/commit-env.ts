// What a snapshot's image config says about the environment. A container's Env is its image's Env
// plus what the service added at spawn (the server's metadata, see worker/manager/metadata-env.ts).
// `docker commit` would freeze those additions into the new image: a snapshot shared with another
// project would carry this server's metadata values, and a key deleted while shelved would come back
// on unshelve. Nova's snapshot is the disk, never the metadata, so the commit is given an Env that
// puts the image's own values back: a key the image also has gets the image's value; a key only the
// container has is listed bare ("KEY"), which Docker merges in place of "KEY=value" and then leaves
// out of every process it starts (measured with this project's Docker Engine).

const keyOf = (entry: string): string => {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
};

/** The Env to pass to `docker commit` so the new image has `imageEnv`'s values, not the container's additions. */
export function envRestoringImage(containerEnv: readonly string[], imageEnv: readonly string[]): string[] {
  const image = new Map(imageEnv.map((e) => [keyOf(e), e]));
  const out: string[] = [];
  for (const entry of containerEnv) {
    const key = keyOf(entry);
    if (!key || image.get(key) === entry) continue; // the image's own value: nothing to undo
    out.push(image.get(key) ?? key);
  }
  return out;
}
