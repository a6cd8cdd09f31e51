// OpenSSH public keys and X.509 certificates as Nova handles key pairs (nova/crypto.py):
// parse and validate a public key, fingerprint it (MD5 of the key blob, colon hex; SHA-1 of the
// DER certificate for x509), and generate an RSA key pair in OpenSSH public / PEM private form.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPair = promisify(crypto.generateKeyPair);

/** The key types Nova (via `cryptography`) accepts. */
const SSH_KEY_TYPES = [
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
] as const;

export class InvalidPublicKey extends Error {}

/** Reads the length-prefixed fields of an SSH wire-format blob. */
class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  field(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new InvalidPublicKey('truncated key blob');
    const len = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + len > this.buf.length) throw new InvalidPublicKey('truncated key blob');
    this.offset = start + len;
    return this.buf.subarray(start, start + len);
  }
  done(): boolean {
    return this.offset === this.buf.length;
  }
}

const colonHex = (digest: Buffer) => [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':');

/**
 * Validates an OpenSSH public key line ("type base64 [comment]") and returns its MD5 fingerprint.
 * Throws InvalidPublicKey when the line or the blob inside it is malformed.
 */
export function sshFingerprint(publicKey: string): string {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2) throw new InvalidPublicKey('expected "type base64-blob [comment]"');
  const [type, b64] = parts;
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) throw new InvalidPublicKey(`unsupported key type ${type}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new InvalidPublicKey('key blob is not base64');
  const blob = Buffer.from(b64, 'base64');
  const r = new WireReader(blob);
  if (r.field().toString('latin1') !== type) throw new InvalidPublicKey('key blob type does not match');
  if (type === 'ssh-rsa') {
    const e = r.field();
    const n = r.field();
    if (e.length === 0 || n.length < 64) throw new InvalidPublicKey('RSA key too small');
  } else if (type === 'ssh-dss') {
    for (let i = 0; i < 4; i++) if (r.field().length === 0) throw new InvalidPublicKey('bad DSA key');
  } else if (type === 'ssh-ed25519') {
    if (r.field().length !== 32) throw new InvalidPublicKey('bad Ed25519 key');
  } else {
    const curve = r.field().toString('latin1');
    if (`ecdsa-sha2-${curve}` !== type) throw new InvalidPublicKey('ECDSA curve does not match key type');
    const q = r.field();
    if (q.length === 0 || q[0] !== 0x04) throw new InvalidPublicKey('bad ECDSA point');
  }
  if (!r.done()) throw new InvalidPublicKey('trailing data in key blob');
  return colonHex(crypto.createHash('md5').update(blob).digest());
}

/** SHA-1 fingerprint of a PEM certificate, lower-case colon hex (Nova's x509 key pairs). */
export function x509Fingerprint(pem: string): string {
  try {
    const cert = new crypto.X509Certificate(pem);
    return cert.fingerprint.toLowerCase();
  } catch (e) {
    throw new InvalidPublicKey((e as Error).message);
  }
}

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/** An unsigned big-endian integer as an SSH mpint (a leading zero when the top bit is set). */
function sshMpint(unsigned: Buffer): Buffer {
  let v = unsigned;
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
}

export interface GeneratedKeyPair {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/** A 2048-bit RSA key pair: OpenSSH public line and PKCS#1 PEM private key (as Nova makes). */
export async function generateSshKeyPair(comment = 'Generated-by-Nova'): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    publicKeyEncoding: { type: 'spki', format: 'jwk' as 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const jwk = publicKey as unknown as { n: string; e: string };
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(Buffer.from(jwk.e, 'base64url')),
    sshMpint(Buffer.from(jwk.n, 'base64url')),
  ]);
  const line = `ssh-rsa ${blob.toString('base64')} ${comment}`;
  return { publicKey: line, privateKey: privateKey, fingerprint: sshFingerprint(line) };
}
