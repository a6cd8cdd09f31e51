// Server metadata as the container's environment (nova-docker's spawn passed the instance metadata
// as Docker's `environment`, contract C3). Rules, all following nova-docker and Docker:
// - every key is passed as it is, also the ones that are not shell identifiers ("app.mode",
//   "a-b:c", "with space"): Nova's key pattern `[a-zA-Z0-9-_:. ]{1,255}` has no '=' and no NUL, so
//   each pair is a well-formed `k=v` entry; programs see it through getenv()/`env`, a POSIX shell
//   just does not make it a shell variable;
// - a key equal to one the image sets (PATH, HOME…) replaces the image's value, as `docker run -e`
//   does and nova-docker did: the metadata is the owner's explicit request;
// - the only entries left out are those the kernel/runtime cannot carry (a NUL in the key or
//   value, or a key with '=' or empty): runc would refuse to start the container, and metadata
//   must never turn a boot into an ERROR. They stay in the metadata API and the config drive.
/** The container environment for `metadata`, and the keys left out (see above). */
export function metadataEnvironment(metadata: Record<string, string>): {
  env: Record<string, string>;
  skipped: string[];
} {
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  for (const [key, raw] of Object.entries(metadata)) {
    const value = String(raw);
    if (key === '' || key.includes('=') || key.includes('\0') || value.includes('\0')) skipped.push(key);
    else env[key] = value;
  }
  return { env, skipped };
}
