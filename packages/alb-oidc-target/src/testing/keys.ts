// Key pairs for the fake ALB (EC P-256 with UUID kids) and for machine-token issuers (RSA): test and local use only.
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM, as the ALB key endpoint serves it. */
  readonly publicKeyPem: string;
}

function wrap(kid: string, privateKey: KeyObject, publicKey: KeyObject): TestKey {
  return { kid, privateKey, publicKey, publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString() };
}

/**
 * An ES256 key pair with a random UUID kid, like the ALB's signing keys.
 * @example const key = createAlbKey(); const server = await startKeyServer({ keys: [key] });
 */
export function createAlbKey(kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return wrap(kid, privateKey, publicKey);
}

/** An EC key on another curve (P-384), for "a key we will not use". */
export function createP384Key(kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
  return wrap(kid, privateKey, publicKey);
}

/**
 * An RSA-2048 key pair, for RS256 machine tokens and wrong-key-type cases.
 * @example mintMachineToken({ key: createRsaKey(), scope: "notes:read" })
 */
export function createRsaKey(kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return wrap(kid, privateKey, publicKey);
}
