import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { createTokenCipher, TokenDecryptionError } from '../../src/auth/crypto.ts';
import { TEST_SECRET_KEY } from '../support/databases.ts';

describe('token encryption', () => {
  const cipher = createTokenCipher(TEST_SECRET_KEY);

  test('decrypt of an encrypted token returns the plaintext', () => {
    const stored = cipher.encrypt('gho_secret', '1:github');
    assert.match(stored, /^v1\.[A-Za-z0-9_-]+$/);
    assert.ok(!stored.includes('gho_secret'));
    assert.equal(cipher.decrypt(stored, '1:github'), 'gho_secret');
  });

  test('encrypting the same token twice gives different values (random IV)', () => {
    assert.notEqual(cipher.encrypt('same'), cipher.encrypt('same'));
  });

  test('decrypt with a key derived from another SECRET_KEY throws TokenDecryptionError', () => {
    const stored = cipher.encrypt('gho_secret');
    const rotated = createTokenCipher('a-completely-different-secret-key-0123456789');
    assert.throws(() => rotated.decrypt(stored), TokenDecryptionError);
  });

  test('decrypt with another context, a flipped byte, a truncated value or an unknown version throws', () => {
    const stored = cipher.encrypt('gho_secret', '1:github');
    assert.throws(() => cipher.decrypt(stored, '2:github'), TokenDecryptionError);
    const body = Buffer.from(stored.slice(3), 'base64url');
    body[body.length - 1]! ^= 1;
    assert.throws(() => cipher.decrypt(`v1.${body.toString('base64url')}`, '1:github'), TokenDecryptionError);
    assert.throws(() => cipher.decrypt('v1.AAAA', '1:github'), TokenDecryptionError);
    assert.throws(() => cipher.decrypt(`v2.${stored.slice(3)}`, '1:github'), TokenDecryptionError);
  });
});
