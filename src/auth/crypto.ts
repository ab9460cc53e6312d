import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Host tokens at rest: AES-256-GCM under a key derived from `SECRET_KEY`.
 * Stored form: `v1.` + base64url(iv ‖ tag ‖ ciphertext). The version prefix lets a later scheme
 * (or key rotation) coexist with values already written.
 */
const VERSION = 'v1';
const INFO = 'host-token-encryption-v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The value cannot be decrypted: `SECRET_KEY` changed, or it was tampered with or truncated. */
export class TokenDecryptionError extends Error {
  constructor(message = 'The stored token cannot be decrypted with the current SECRET_KEY.') {
    super(message);
    this.name = 'TokenDecryptionError';
  }
}

export interface TokenCipher {
  /**
   * `context` is authenticated but not stored (e.g. the row's owner), so a ciphertext copied into
   * another row does not decrypt there.
   */
  encrypt(plaintext: string, context?: string): string;
  /** @throws {TokenDecryptionError} */
  decrypt(stored: string, context?: string): string;
}

export function createTokenCipher(secretKey: string): TokenCipher {
  // Domain-separated from every other key derived from the same secret (e.g. JWT signing).
  // A KeyObject made once: given raw bytes, every cipher would build one of its own (four times the cost of a decryption).
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), INFO, 32)));

  return {
    encrypt(plaintext, context = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const packed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}.${packed.toString('base64url')}`;
    },

    decrypt(stored, context = '') {
      const dot = stored.indexOf('.');
      if (dot < 0 || stored.slice(0, dot) !== VERSION) {
        throw new TokenDecryptionError('The stored token has an unknown format.');
      }
      const packed = Buffer.from(stored.slice(dot + 1), 'base64url');
      if (packed.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError('The stored token is truncated.');
      const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new TokenDecryptionError();
      }
    },
  };
}
