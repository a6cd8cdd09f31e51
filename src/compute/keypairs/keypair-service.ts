// Key pairs belong to a user (Nova: per user, not per project). Import validates and fingerprints
// the public key; generation returns the private key once and never stores it.
import type { Database } from '../../db/knex.js';
import type { KeypairRow, KeypairsRepo } from '../../db/repositories/keypairs-repo.js';
import type { Clock } from '../../db/time.js';
import { BadRequest, Conflict, KeypairNotFound, MarkerNotFound } from '../../errors.js';
import type { QuotaService } from '../quotas/quotas.js';
import { generateSshKeyPair, InvalidPublicKey, sshFingerprint, x509Fingerprint } from './ssh-keys.js';
import { generateX509Certificate } from './x509-cert.js';
import { isUniqueViolation } from '../../db/constraints.js';

export type KeypairType = 'ssh' | 'x509';

export interface KeypairCreate {
  userId: string;
  /** the project whose key_pairs quota applies (the caller's) */
  projectId: string | null;
  name: string;
  type: KeypairType;
  /** absent: generate one (only below 2.92) */
  publicKey?: string;
  /** 2.92 widened the allowed name characters with '@' and '.' */
  allowSpecialChars: boolean;
}

export interface CreatedKeypair {
  row: KeypairRow;
  privateKey?: string;
}

/** Nova's InvalidKeypair → 400 "Keypair data is invalid: …". */
const invalidKeypair = (reason: string) => new BadRequest(`Keypair data is invalid: ${reason}`);

export class KeypairService {
  constructor(
    private readonly db: Database,
    private readonly repo: KeypairsRepo,
    private readonly quotas: QuotaService,
    private readonly clock: Clock,
  ) {}

  /** For server create: the named key pair of the user, or undefined. */
  async findForUser(
    userId: string,
    name: string,
  ): Promise<Pick<KeypairRow, 'name' | 'public_key' | 'type' | 'fingerprint'> | undefined> {
    const row = await this.repo.find(userId, name);
    return row
      ? { name: row.name, public_key: row.public_key, type: row.type, fingerprint: row.fingerprint }
      : undefined;
  }

  async get(userId: string, name: string): Promise<KeypairRow> {
    const row = await this.repo.find(userId, name);
    if (!row) throw KeypairNotFound(name, userId);
    return row;
  }

  /** A page of the user's key pairs by name; a marker that names no key pair is a 400 (Nova). */
  async listPage(userId: string, opts: { limit?: number; marker?: string } = {}): Promise<KeypairRow[]> {
    if (opts.marker !== undefined && !(await this.repo.find(userId, opts.marker))) {
      throw MarkerNotFound(opts.marker);
    }
    return this.repo.list(userId, opts);
  }

  async delete(userId: string, name: string): Promise<void> {
    if ((await this.repo.delete(userId, name)) === 0) throw KeypairNotFound(name, userId);
  }

  async create(req: KeypairCreate): Promise<CreatedKeypair> {
    validateName(req.name, req.allowSpecialChars);
    let publicKey = req.publicKey;
    let privateKey: string | undefined;
    let fingerprint: string;
    if (publicKey === undefined) {
      if (req.type === 'x509') {
        const cert = await generateX509Certificate(req.userId, this.clock.now());
        publicKey = cert.certificatePem;
        privateKey = cert.privateKeyPem;
        fingerprint = cert.fingerprint;
      } else {
        const generated = await generateSshKeyPair();
        publicKey = generated.publicKey;
        privateKey = generated.privateKey;
        fingerprint = generated.fingerprint;
      }
    } else {
      fingerprint = fingerprintOf(req.type, publicKey);
    }
    const row: Omit<KeypairRow, 'id'> = {
      user_id: req.userId,
      name: req.name,
      type: req.type,
      public_key: publicKey,
      fingerprint,
      created_at: this.clock.now().toISOString(),
    };
    await this.db.transaction(async (trx) => {
      await this.quotas.assertCanAddKeypair(trx, req.projectId, await this.repo.count(req.userId, trx), req.userId);
      if (await this.repo.find(req.userId, req.name, trx)) throw new Conflict(`Key pair '${req.name}' already exists.`);
      try {
        await this.repo.insert(row, trx);
      } catch (e) {
        // PostgreSQL: a concurrent create of the same name loses on the unique index.
        if (isUniqueViolation(e)) throw new Conflict(`Key pair '${req.name}' already exists.`);
        throw e;
      }
    });
    return { row: (await this.repo.find(req.userId, req.name))!, privateKey };
  }
}

function fingerprintOf(type: KeypairType, publicKey: string): string {
  try {
    return type === 'x509' ? x509Fingerprint(publicKey) : sshFingerprint(publicKey);
  } catch (e) {
    if (!(e instanceof InvalidPublicKey)) throw e;
    throw invalidKeypair(
      type === 'x509'
        ? `failed to generate X509 fingerprint. Error message: ${e.message}`
        : 'failed to generate fingerprint',
    );
  }
}

/** string.digits + string.ascii_letters, in Python's order (Nova's message lists them so). */
const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Nova's name rules: the jsonschema 'name' format (printable, no leading or trailing whitespace),
 * then the keypair_name_20 / keypair_name_292 formats (validators.py): letters, digits, '_', '-',
 * ' ', plus '@' and '.' from 2.92, refused with InvalidName's words listing the expected characters.
 */
function validateName(name: string, allowSpecialChars: boolean): void {
  if (name.length < 1 || name.length > 255) {
    throw invalidKeypair('Keypair name must be string and between 1 and 255 characters long');
  }
  if (/^\s|\s$/.test(name) || /[\p{C}]/u.test(name)) {
    throw new BadRequest(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
  }
  const safe = allowSpecialChars ? /^[A-Za-z0-9_\- @.]+$/ : /^[A-Za-z0-9_\- ]+$/;
  if (!safe.test(name)) {
    const expected = `${allowSpecialChars ? '@.' : ''}_- ${ALNUM}`;
    throw new BadRequest(
      `An invalid 'name' value was provided. The name must be: Only expected characters: [${expected}]`,
    );
  }
}
