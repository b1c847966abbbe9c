import { KeyObject } from 'node:crypto';
import { ATTACKER_EC, ATTACKER_RSA, EC, EC_KID, HS_CURRENT, HS_PREVIOUS, RSA, spkiPem } from './app.module.js';
import { b64json, b64text, es256, goodClaims, hmac, jws, nowS, Part, ps256, rs256, Signer, unsigned } from './forge.js';

export type Deployment = 'HS256' | 'RS256' | 'ES256';
export type Code = 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'TOKEN_NOT_ACTIVE';

/** One hostile token: what it is, where the attack is documented, which deployment it targets, and the answer. */
export interface CorpusCase {
  name: string;
  source: string;
  deployment: Deployment;
  token: () => string;
  code: Code;
}

/** Where the `jku`/`x5u` forgeries point; the spec serves it and checks nothing was ever fetched from it. */
export const bait = { url: 'http://127.0.0.1:9/unset' };

const HS = (extra: Record<string, unknown> = {}) => ({ alg: 'HS256', typ: 'at+jwt', kid: HS_CURRENT.kid, ...extra });
const RS = (extra: Record<string, unknown> = {}) => ({ alg: 'RS256', typ: 'at+jwt', ...extra });
const ES = (extra: Record<string, unknown> = {}) => ({ alg: 'ES256', typ: 'at+jwt', kid: EC_KID, ...extra });
const without = (obj: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(obj).filter(([name]) => !names.includes(name)));

/** Signed with the deployment's real key: whatever is refused is refused for its content, not its signature. */
const realHs = hmac('sha256', HS_CURRENT.secret);
const realRs = rs256(RSA.privateKey);
const realEs = es256(EC.privateKey);

/** A valid token for each deployment, built by hand exactly like the forgeries (the positive controls). */
export const wellFormed: Record<Deployment, () => string> = {
  HS256: () => jws(HS(), goodClaims(), realHs),
  RS256: () => jws(RS(), goodClaims(), realRs),
  ES256: () => jws(ES(), goodClaims(), realEs),
};

/** Replaces one segment (0 header, 1 payload, 2 signature) of a token. */
const withSegment = (token: string, index: number, segment: string) => {
  const parts = token.split('.');
  parts[index] = segment;
  return parts.join('.');
};
const segment = (token: string, index: number) => token.split('.')[index];

/**
 * The last character of a 32-byte signature carries 4 data bits and 2 unused
 * ones; flipping an unused bit gives a different string for the same bytes.
 */
function nonCanonicalLastChar(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token[token.length - 1]);
  return token.slice(0, -1) + alphabet[last ^ 1];
}

const pemVariants = (key: KeyObject) => ({
  spki: spkiPem(key),
  spkiNoNewline: spkiPem(key).trimEnd(),
  der: key.export({ type: 'spki', format: 'der' }),
  jwkText: JSON.stringify(key.export({ format: 'jwk' })),
});

const rsaPub = pemVariants(RSA.publicKey);
const ecPub = pemVariants(EC.publicKey);
const rsaPkcs1 = RSA.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;

const NONE_CASINGS = ['none', 'None', 'NONE', 'nOnE'];

function algNone(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const alg of NONE_CASINGS) {
    const header = { alg, typ: 'at+jwt', kid: HS_CURRENT.kid };
    cases.push(
      { name: `alg "${alg}", empty signature`, source: 'RFC 8725 §2.1, §3.1; RFC 7518 §3.6', deployment: 'HS256', token: () => jws(header, goodClaims(), unsigned), code: 'INVALID_TOKEN' },
      { name: `alg "${alg}", HMAC signature with the real secret`, source: 'RFC 8725 §3.1', deployment: 'HS256', token: () => jws(header, goodClaims(), realHs), code: 'INVALID_TOKEN' },
      { name: `alg "${alg}", junk signature`, source: 'RFC 8725 §2.1', deployment: 'HS256', token: () => `${jws(header, goodClaims(), unsigned)}AAAA`, code: 'INVALID_TOKEN' },
    );
  }
  cases.push(
    { name: 'alg "none", no kid, empty signature', source: 'RFC 8725 §2.1', deployment: 'RS256', token: () => jws({ alg: 'none', typ: 'at+jwt' }, goodClaims(), unsigned), code: 'INVALID_TOKEN' },
    { name: 'alg "NONE", empty signature', source: 'RFC 8725 §2.1', deployment: 'ES256', token: () => jws(ES({ alg: 'NONE' }), goodClaims(), unsigned), code: 'INVALID_TOKEN' },
    { name: 'alg "none", only two segments', source: 'RFC 8725 §2.1; RFC 7515 §7.1', deployment: 'HS256', token: () => jws(HS({ alg: 'none' }), goodClaims(), unsigned).slice(0, -1), code: 'INVALID_TOKEN' },
  );
  return cases;
}

function algConfusion(): CorpusCase[] {
  const asHmac = (alg: 'HS256' | 'HS384' | 'HS512', key: string | Buffer) => hmac(`sha${alg.slice(2)}` as 'sha256', key);
  return [
    { name: 'HS256 keyed with the RSA public key (SPKI PEM)', source: 'CVE-2015-9235; CVE-2016-10555; RFC 8725 §2.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS256' }), goodClaims(), asHmac('HS256', rsaPub.spki)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the RSA public key PEM without its final newline', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS256' }), goodClaims(), asHmac('HS256', rsaPub.spkiNoNewline)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the RSA public key (PKCS#1 PEM)', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS256' }), goodClaims(), asHmac('HS256', rsaPkcs1)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the RSA public key (DER bytes)', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS256' }), goodClaims(), asHmac('HS256', rsaPub.der)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the RSA public key (JWK text)', source: 'CVE-2022-23541; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS256' }), goodClaims(), asHmac('HS256', rsaPub.jwkText)), code: 'INVALID_TOKEN' },
    { name: 'HS384 keyed with the RSA public key PEM', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS384' }), goodClaims(), asHmac('HS384', rsaPub.spki)), code: 'INVALID_TOKEN' },
    { name: 'HS512 keyed with the RSA public key PEM', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'HS512' }), goodClaims(), asHmac('HS512', rsaPub.spki)), code: 'INVALID_TOKEN' },
    { name: 'PS256 signed with the real RSA key on an RS256 deployment', source: 'RFC 8725 §3.1', deployment: 'RS256', token: () => jws(RS({ alg: 'PS256' }), goodClaims(), ps256(RSA.privateKey)), code: 'INVALID_TOKEN' },
    { name: 'RS256 signed with an attacker key', source: 'RFC 7515 §5.2', deployment: 'RS256', token: () => jws(RS(), goodClaims(), rs256(ATTACKER_RSA.privateKey)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the EC public key (SPKI PEM), real kid', source: 'CVE-2015-9235; RFC 8725 §2.1', deployment: 'ES256', token: () => jws(ES({ alg: 'HS256' }), goodClaims(), asHmac('HS256', ecPub.spki)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the EC public key PEM without its final newline', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'ES256', token: () => jws(ES({ alg: 'HS256' }), goodClaims(), asHmac('HS256', ecPub.spkiNoNewline)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the EC public key (DER bytes)', source: 'CVE-2015-9235; RFC 8725 §3.1', deployment: 'ES256', token: () => jws(ES({ alg: 'HS256' }), goodClaims(), asHmac('HS256', ecPub.der)), code: 'INVALID_TOKEN' },
    { name: 'HS256 keyed with the EC public key (JWK text)', source: 'CVE-2022-23541; RFC 8725 §3.1', deployment: 'ES256', token: () => jws(ES({ alg: 'HS256' }), goodClaims(), asHmac('HS256', ecPub.jwkText)), code: 'INVALID_TOKEN' },
    { name: 'ES256 with an all-zero signature (r = s = 0)', source: 'CVE-2022-21449; RFC 8725 §3.4', deployment: 'ES256', token: () => jws(ES(), goodClaims(), () => Buffer.alloc(64)), code: 'INVALID_TOKEN' },
    { name: 'ES256 signed by the real key but DER-encoded instead of R||S', source: 'RFC 7518 §3.4', deployment: 'ES256', token: () => jws(ES(), goodClaims(), es256(EC.privateKey, 'der')), code: 'INVALID_TOKEN' },
    { name: 'ES256 signed with an attacker key under the real kid', source: 'RFC 7515 §5.2', deployment: 'ES256', token: () => jws(ES(), goodClaims(), es256(ATTACKER_EC.privateKey)), code: 'INVALID_TOKEN' },
    { name: 'RS256 header with the real kid on an ES256 deployment', source: 'RFC 8725 §3.1', deployment: 'ES256', token: () => jws(ES({ alg: 'RS256' }), goodClaims(), rs256(ATTACKER_RSA.privateKey)), code: 'INVALID_TOKEN' },
    { name: 'HS384 signed with the real secret on an HS256 deployment', source: 'RFC 8725 §3.1', deployment: 'HS256', token: () => jws(HS({ alg: 'HS384' }), goodClaims(), asHmac('HS384', HS_CURRENT.secret)), code: 'INVALID_TOKEN' },
    { name: 'HS512 signed with the real secret on an HS256 deployment', source: 'RFC 8725 §3.1', deployment: 'HS256', token: () => jws(HS({ alg: 'HS512' }), goodClaims(), asHmac('HS512', HS_CURRENT.secret)), code: 'INVALID_TOKEN' },
    { name: 'alg "hs256" (alg is case-sensitive)', source: 'RFC 7515 §4.1.1', deployment: 'HS256', token: () => jws(HS({ alg: 'hs256' }), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'alg missing', source: 'RFC 7515 §4.1.1', deployment: 'HS256', token: () => jws(without(HS(), 'alg'), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'alg as an array ["HS256"]', source: 'RFC 8725 §3.1', deployment: 'HS256', token: () => jws(HS({ alg: ['HS256'] }), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'alg RS256 on an HS256 deployment, HMAC signature', source: 'RFC 8725 §3.1', deployment: 'HS256', token: () => jws(HS({ alg: 'RS256' }), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'HS256 with a guessable secret ("secret")', source: 'RFC 8725 §2.2, §3.5', deployment: 'HS256', token: () => jws(HS(), goodClaims(), hmac('sha256', 'secret')), code: 'INVALID_TOKEN' },
    { name: 'HS256 with an empty secret', source: 'CVE-2022-23540; RFC 8725 §3.5', deployment: 'HS256', token: () => jws(HS(), goodClaims(), hmac('sha256', '')), code: 'INVALID_TOKEN' },
  ];
}

function signatureTampering(): CorpusCase[] {
  const other = () => jws(HS(), goodClaims({ sub: 'someone-else' }), realHs);
  return [
    { name: 'signature stripped (trailing dot kept)', source: 'RFC 8725 §3.3; RFC 7515 §5.2', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 2, ''), code: 'INVALID_TOKEN' },
    { name: 'signature swapped in from another valid token', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 2, segment(other(), 2)), code: 'INVALID_TOKEN' },
    { name: 'signature of the previous key under the current kid', source: 'RFC 8725 §2.7; RFC 7515 §4.1.4', deployment: 'HS256', token: () => jws(HS(), goodClaims(), hmac('sha256', HS_PREVIOUS.secret)), code: 'INVALID_TOKEN' },
    { name: 'payload tampered (sub changed), signature kept', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 1, b64json(goodClaims({ sub: 'admin' }))), code: 'INVALID_TOKEN' },
    { name: 'payload tampered (exp pushed a year out), signature kept', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 1, b64json(goodClaims({ exp: nowS() + 31_536_000 }))), code: 'INVALID_TOKEN' },
    { name: 'header tampered (kid switched to the previous key), signature kept', source: 'RFC 7515 §5.2; RFC 8725 §2.7', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 0, b64json(HS({ kid: HS_PREVIOUS.kid }))), code: 'INVALID_TOKEN' },
    { name: 'header tampered (extra member), signature kept', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => withSegment(wellFormed.HS256(), 0, b64json(HS({ x: 1 }))), code: 'INVALID_TOKEN' },
    { name: 'signature one byte short', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => { const t = wellFormed.HS256(); return withSegment(t, 2, Buffer.from(segment(t, 2), 'base64url').subarray(0, 31).toString('base64url')); }, code: 'INVALID_TOKEN' },
    { name: 'signature one byte long', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => { const t = wellFormed.HS256(); return withSegment(t, 2, Buffer.concat([Buffer.from(segment(t, 2), 'base64url'), Buffer.of(0)]).toString('base64url')); }, code: 'INVALID_TOKEN' },
    { name: 'signature with one bit flipped', source: 'RFC 7515 §5.2', deployment: 'HS256', token: () => { const t = wellFormed.HS256(); const sig = Buffer.from(segment(t, 2), 'base64url'); sig[7] ^= 1; return withSegment(t, 2, sig.toString('base64url')); }, code: 'INVALID_TOKEN' },
    { name: 'signature spelled non-canonically (unused low bits of the last character set)', source: 'RFC 4648 §3.5; RFC 7515 §2', deployment: 'HS256', token: () => nonCanonicalLastChar(wellFormed.HS256()), code: 'INVALID_TOKEN' },
    { name: 'signature spelled non-canonically on ES256', source: 'RFC 4648 §3.5', deployment: 'ES256', token: () => nonCanonicalLastChar(wellFormed.ES256()), code: 'INVALID_TOKEN' },
    { name: 'signature with two dangling characters (length 1 mod 4 after the valid part)', source: 'RFC 4648 §3.5', deployment: 'HS256', token: () => `${wellFormed.HS256()}AA`, code: 'INVALID_TOKEN' },
    { name: 'RS256 signature of another RS256 token', source: 'RFC 7515 §5.2', deployment: 'RS256', token: () => withSegment(wellFormed.RS256(), 2, segment(jws(RS(), goodClaims({ sub: 'x' }), realRs), 2)), code: 'INVALID_TOKEN' },
  ];
}

function kidInjection(): CorpusCase[] {
  const kidCase = (name: string, kid: unknown, signer: Signer = realHs, source = 'RFC 8725 §2.9, §3.10'): CorpusCase => ({
    name, source, deployment: 'HS256', token: () => jws(HS({ kid }), goodClaims(), signer), code: 'INVALID_TOKEN',
  });
  return [
    kidCase('kid "../../dev/null", HMAC with an empty key', '../../dev/null', hmac('sha256', '')),
    kidCase('kid "/dev/null", HMAC with an empty key', '/dev/null', hmac('sha256', '')),
    kidCase('kid path traversal to a file, HMAC with its likely content', '../../../../etc/hostname', hmac('sha256', 'localhost\n')),
    kidCase('kid SQL tautology', "' OR '1'='1", hmac('sha256', '1')),
    kidCase('kid SQL UNION choosing the key', "x' UNION SELECT 'attacker-key' -- ", hmac('sha256', 'attacker-key')),
    kidCase('kid shell substitution', '$(curl 127.0.0.1:9)|`id`'),
    kidCase('kid NoSQL operator as text', '{"$ne":null}'),
    kidCase('kid NoSQL operator as an object', { $ne: null }),
    kidCase('kid LDAP wildcard', '*)(uid=*'),
    kidCase('kid "__proto__"', '__proto__'),
    kidCase('kid "constructor"', 'constructor'),
    kidCase('kid with a trailing NUL', `${HS_CURRENT.kid}\u0000`),
    kidCase('kid differing in case only', HS_CURRENT.kid.toUpperCase()),
    kidCase('kid as a number', 0),
    kidCase('kid null', null),
    kidCase('kid as an array holding the real kid', [HS_CURRENT.kid]),
    kidCase('kid of 4,000 characters', 'k'.repeat(4000)),
    kidCase('unknown kid, signed with the real secret', 'hs-2099', realHs, 'RFC 7515 §4.1.4; RFC 8725 §3.10'),
    { name: 'no kid on a ring where every key has one', source: 'RFC 7515 §4.1.4', deployment: 'HS256', token: () => jws(without(HS(), 'kid'), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'kid on a deployment whose single key has none', source: 'RFC 7515 §4.1.4', deployment: 'RS256', token: () => jws(RS({ kid: 'any' }), goodClaims(), realRs), code: 'INVALID_TOKEN' },
    { name: 'unknown kid on ES256, signed with the real key', source: 'RFC 8725 §3.10', deployment: 'ES256', token: () => jws(ES({ kid: 'ec-2' }), goodClaims(), realEs), code: 'INVALID_TOKEN' },
  ];
}

function keyReferences(): CorpusCase[] {
  const attackerJwk = ATTACKER_RSA.publicKey.export({ format: 'jwk' });
  const attackerDer = (ATTACKER_RSA.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const attackerRs = rs256(ATTACKER_RSA.privateKey);
  const symmetricJwk = { kty: 'oct', k: b64text('attacker-chosen-secret-of-32-bytes!!') };
  return [
    { name: 'embedded jwk with the attacker public key, signed by the attacker', source: 'CVE-2018-0114; RFC 8725 §3.10', deployment: 'RS256', token: () => jws(RS({ jwk: attackerJwk }), goodClaims(), attackerRs), code: 'INVALID_TOKEN' },
    { name: 'embedded symmetric jwk, HMAC with its k', source: 'CVE-2018-0114; RFC 8725 §3.10', deployment: 'HS256', token: () => jws(HS({ jwk: symmetricJwk }), goodClaims(), hmac('sha256', 'attacker-chosen-secret-of-32-bytes!!')), code: 'INVALID_TOKEN' },
    { name: 'jku pointing at an attacker JWKS', source: 'RFC 8725 §2.9, §3.10; RFC 7515 §4.1.2', deployment: 'RS256', token: () => jws(RS({ jku: `${bait.url}/jwks.json` }), goodClaims(), attackerRs), code: 'INVALID_TOKEN' },
    { name: 'x5u pointing at an attacker certificate', source: 'RFC 8725 §2.9, §3.10; RFC 7515 §4.1.5', deployment: 'RS256', token: () => jws(RS({ x5u: `${bait.url}/cert.pem` }), goodClaims(), attackerRs), code: 'INVALID_TOKEN' },
    { name: 'x5c carrying the attacker key', source: 'RFC 8725 §3.10; RFC 7515 §4.1.6', deployment: 'RS256', token: () => jws(RS({ x5c: [attackerDer] }), goodClaims(), attackerRs), code: 'INVALID_TOKEN' },
    { name: 'jku on a token otherwise signed by the real key', source: 'RFC 8725 §3.10', deployment: 'HS256', token: () => jws(HS({ jku: `${bait.url}/jwks.json` }), goodClaims(), realHs), code: 'INVALID_TOKEN' },
    { name: 'x5u on a token otherwise signed by the real key', source: 'RFC 8725 §3.10', deployment: 'ES256', token: () => jws(ES({ x5u: `${bait.url}/cert.pem` }), goodClaims(), realEs), code: 'INVALID_TOKEN' },
    { name: 'jwk null on a token otherwise signed by the real key', source: 'RFC 8725 §3.10', deployment: 'HS256', token: () => jws(HS({ jwk: null }), goodClaims(), realHs), code: 'INVALID_TOKEN' },
  ];
}

function headerPolicy(): CorpusCase[] {
  const signed = (name: string, source: string, header: Part): CorpusCase => ({
    name, source, deployment: 'HS256', token: () => jws(header, goodClaims(), realHs), code: 'INVALID_TOKEN',
  });
  return [
    signed('crit ["exp"] (not an extension we implement)', 'RFC 7515 §4.1.11', HS({ crit: ['exp'] })),
    signed('crit ["b64"] with b64 false (unencoded payload)', 'RFC 7797 §6; RFC 7515 §4.1.11', HS({ crit: ['b64'], b64: false })),
    signed('crit [] (empty list)', 'RFC 7515 §4.1.11', HS({ crit: [] })),
    signed('crit as a string', 'RFC 7515 §4.1.11', HS({ crit: 'kid' })),
    signed('typ missing', 'RFC 8725 §3.11; RFC 9068 §4', without(HS(), 'typ')),
    signed('typ "JWT" (an ID token or any other JWT)', 'RFC 8725 §2.8, §3.11; RFC 9068 §4', HS({ typ: 'JWT' })),
    signed('typ "application/jwt"', 'RFC 8725 §3.11; RFC 9068 §4', HS({ typ: 'application/jwt' })),
    signed('typ "JOSE"', 'RFC 7515 §4.1.9; RFC 9068 §4', HS({ typ: 'JOSE' })),
    signed('typ "logout+jwt" (another explicitly typed JWT)', 'RFC 8725 §3.11, §3.12', HS({ typ: 'logout+jwt' })),
    signed('typ "at+jwt " with a trailing space', 'RFC 9068 §4', HS({ typ: 'at+jwt ' })),
    signed('typ as an array ["at+jwt"]', 'RFC 9068 §4', HS({ typ: ['at+jwt'] })),
    signed('typ null', 'RFC 9068 §4', HS({ typ: null })),
    signed('duplicate alg, the last one "none"', 'RFC 7515 §4 (last member wins); RFC 8725 §2.6', { raw: `{"alg":"HS256","typ":"at+jwt","kid":"${HS_CURRENT.kid}","alg":"none"}` }),
    signed('duplicate typ, the last one "JWT"', 'RFC 7515 §4; RFC 8725 §2.6', { raw: `{"alg":"HS256","typ":"at+jwt","kid":"${HS_CURRENT.kid}","typ":"JWT"}` }),
    { name: 'duplicate alg "none" then "HS256", unsigned', source: 'RFC 8725 §2.1, §2.6', deployment: 'HS256', token: () => jws({ raw: `{"alg":"none","typ":"at+jwt","kid":"${HS_CURRENT.kid}","alg":"HS256"}` }, goodClaims(), unsigned), code: 'INVALID_TOKEN' },
  ];
}

function payloadShape(): CorpusCase[] {
  const rawPayload = (name: string, source: string, raw: string | Buffer, code: Code = 'INVALID_TOKEN'): CorpusCase => ({
    name,
    source,
    deployment: 'HS256',
    token: () => {
      const input = `${b64json(HS())}.${b64text(raw)}`;
      return `${input}.${realHs(input).toString('base64url')}`;
    },
    code,
  });
  const rawHeader = (name: string, raw: string): CorpusCase => ({
    name,
    source: 'RFC 7515 §5.2 step 3',
    deployment: 'HS256',
    token: () => {
      const input = `${b64text(raw)}.${b64json(goodClaims())}`;
      return `${input}.${realHs(input).toString('base64url')}`;
    },
    code: 'INVALID_TOKEN',
  });
  const claims = () => JSON.stringify(goodClaims());
  const future = () => nowS() + 600;
  return [
    rawPayload('payload is a JSON array', 'RFC 7519 §7.2 step 10', '[{"sub":"a","sid":"b","exp":9999999999}]'),
    rawPayload('payload is a JSON number', 'RFC 7519 §7.2 step 10', '42'),
    rawPayload('payload is a JSON string', 'RFC 7519 §7.2 step 10', '"sub"'),
    rawPayload('payload is JSON null', 'RFC 7519 §7.2 step 10', 'null'),
    rawPayload('payload is JSON true', 'RFC 7519 §7.2 step 10', 'true'),
    rawPayload('payload is not JSON', 'RFC 7519 §7.2 step 10', 'sub=admin'),
    rawPayload('payload is truncated JSON', 'RFC 7519 §7.2 step 10', '{"sub":"a","sid":'),
    rawPayload('payload has trailing garbage after the object', 'RFC 8259 §2', `${JSON.stringify(goodClaims())}x`),
    rawPayload('payload starts with a UTF-8 BOM', 'RFC 8259 §8.1', Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(JSON.stringify(goodClaims()))])),
    rawPayload('payload is not valid UTF-8 (lone 0xFF byte in sub)', 'RFC 8725 §3.7; RFC 7519 §7.2', Buffer.concat([Buffer.from('{"sub":"'), Buffer.of(0xff), Buffer.from(`","sid":"b","exp":${nowS() + 600}}`)])),
    rawPayload('payload is an empty object', 'RFC 7519 §4.1.4', '{}'),
    rawHeader('header is a JSON array', `[{"alg":"HS256","typ":"at+jwt","kid":"${HS_CURRENT.kid}"}]`),
    rawHeader('header is JSON null', 'null'),
    rawHeader('header is a JSON string', '"HS256"'),
    rawHeader('header is not JSON', 'alg=HS256'),
    rawPayload('duplicate exp, the last one long past', 'RFC 7515 §4; RFC 8725 §2.6', `{"sub":"a","sid":"b","exp":9999999999,"exp":${nowS() - 3600}}`, 'TOKEN_EXPIRED'),
    rawPayload('duplicate sub, the last one a number', 'RFC 8725 §2.6', `{"sub":"alice","sid":"b","exp":${future()},"sub":42}`),
    rawPayload('duplicate nbf, the last one in the future', 'RFC 8725 §2.6', `{"sub":"a","sid":"b","exp":${future() + 7200},"nbf":0,"nbf":${nowS() + 3600}}`, 'TOKEN_NOT_ACTIVE'),
    // Kept to show what a forger gains from a claims object with prototype-looking members: nothing.
    rawPayload('__proto__ member and no sub', 'RFC 8725 §3.10', `{"__proto__":{"sub":"admin"},"sid":"b","exp":${future()}}`),
    { name: 'payload re-serialised with a trailing space, signature kept', source: 'RFC 7515 §5.2; RFC 8725 §2.6', deployment: 'HS256', token: () => withSegment(jws(HS(), { raw: claims() }, realHs), 1, b64text(`${claims()} `)), code: 'INVALID_TOKEN' },
  ];
}

function claimTypes(): CorpusCase[] {
  const rawClaims = (name: string, source: string, json: (now: number) => string, code: Code = 'INVALID_TOKEN'): CorpusCase => ({
    name, source, deployment: 'HS256', token: () => jws(HS(), { raw: json(nowS()) }, realHs), code,
  });
  const base = (now: number) => `"sub":"alice","sid":"s1","iat":${now}`;
  const exp = (now: number) => `"exp":${now + 600}`;
  return [
    rawClaims('exp as a numeric string', 'RFC 7519 §2 (NumericDate), §4.1.4', (n) => `{${base(n)},"exp":"${n + 600}"}`),
    rawClaims('exp true', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":true}`),
    rawClaims('exp as an object', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":{"valueOf":9999999999}}`),
    rawClaims('exp as an array', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":[9999999999]}`),
    rawClaims('exp null', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":null}`),
    rawClaims('exp "NaN"', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":"NaN"}`),
    rawClaims('exp 1e999 (parses to Infinity)', 'RFC 7519 §2', (n) => `{${base(n)},"exp":1e999}`),
    rawClaims('exp -1e999 (parses to -Infinity)', 'RFC 7519 §2', (n) => `{${base(n)},"exp":-1e999}`),
    rawClaims('exp 1e300', 'RFC 7519 §2', (n) => `{${base(n)},"exp":1e300}`),
    rawClaims('exp -1', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":-1}`, 'TOKEN_EXPIRED'),
    rawClaims('exp 0', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":0}`, 'TOKEN_EXPIRED'),
    rawClaims('exp an hour ago', 'RFC 7519 §4.1.4', (n) => `{${base(n)},"exp":${n - 3600}}`, 'TOKEN_EXPIRED'),
    rawClaims('nbf as a string', 'RFC 7519 §4.1.5', (n) => `{${base(n)},${exp(n)},"nbf":"0"}`),
    rawClaims('nbf false', 'RFC 7519 §4.1.5', (n) => `{${base(n)},${exp(n)},"nbf":false}`),
    rawClaims('nbf 1e300', 'RFC 7519 §4.1.5', (n) => `{${base(n)},${exp(n)},"nbf":1e300}`),
    rawClaims('nbf 1e999 (Infinity)', 'RFC 7519 §2', (n) => `{${base(n)},${exp(n)},"nbf":1e999}`),
    rawClaims('nbf an hour ahead', 'RFC 7519 §4.1.5', (n) => `{${base(n)},"exp":${n + 7200},"nbf":${n + 3600}}`, 'TOKEN_NOT_ACTIVE'),
    rawClaims('nbf near the end of Date range', 'RFC 7519 §4.1.5', (n) => `{${base(n)},"exp":${n + 600},"nbf":8.6e12}`, 'TOKEN_NOT_ACTIVE'),
    rawClaims('iat as a string', 'RFC 7519 §4.1.6', (n) => `{"sub":"a","sid":"b",${exp(n)},"iat":"${n}"}`),
    rawClaims('iat as an object', 'RFC 7519 §4.1.6', (n) => `{"sub":"a","sid":"b",${exp(n)},"iat":{}}`),
    rawClaims('iat 1e300', 'RFC 7519 §4.1.6', (n) => `{"sub":"a","sid":"b",${exp(n)},"iat":1e300}`),
    rawClaims('iat -1e999 (-Infinity)', 'RFC 7519 §2', (n) => `{"sub":"a","sid":"b",${exp(n)},"iat":-1e999}`),
    rawClaims('iat an hour in the future', 'RFC 7519 §4.1.6; contract (future iat is INVALID_TOKEN)', (n) => `{"sub":"a","sid":"b","exp":${n + 7200},"iat":${n + 3600}}`),
    rawClaims('exp missing', 'RFC 9068 §2.2', (n) => `{${base(n)}}`),
    rawClaims('sub missing', 'RFC 9068 §2.2', (n) => `{"sid":"s1","iat":${n},${exp(n)}}`),
    rawClaims('sid missing', 'contract (revocation needs sid)', (n) => `{"sub":"alice","iat":${n},${exp(n)}}`),
    rawClaims('sub empty', 'RFC 9068 §2.2', (n) => `{"sub":"","sid":"s1",${exp(n)}}`),
    rawClaims('sub a number', 'RFC 7519 §4.1.2 (StringOrURI)', (n) => `{"sub":42,"sid":"s1",${exp(n)}}`),
    rawClaims('sub an object', 'RFC 7519 §4.1.2', (n) => `{"sub":{"id":"admin"},"sid":"s1",${exp(n)}}`),
    rawClaims('sid null', 'contract (revocation needs sid)', (n) => `{"sub":"alice","sid":null,${exp(n)}}`),
  ];
}

function encoding(): CorpusCase[] {
  const t = () => wellFormed.HS256();
  const c = (name: string, source: string, token: () => string): CorpusCase => ({ name, source, deployment: 'HS256', token, code: 'INVALID_TOKEN' });
  const stdB64 = (seg: string) => Buffer.from(seg, 'base64url').toString('base64');
  return [
    c('"=" padding on the signature', 'RFC 7515 §2, App. C', () => withSegment(t(), 2, `${segment(t(), 2)}=`)),
    c('signature in standard base64 with padding', 'RFC 7515 §2; RFC 4648 §4', () => { const x = t(); return withSegment(x, 2, stdB64(segment(x, 2))); }),
    c('"=" padding on the header', 'RFC 7515 §2', () => { const x = t(); return withSegment(x, 0, `${segment(x, 0)}==`); }),
    c('"=" padding on the payload', 'RFC 7515 §2', () => { const x = t(); return withSegment(x, 1, `${segment(x, 1)}=`); }),
    c('"+" inside the payload', 'RFC 4648 §5', () => { const x = t(); const p = segment(x, 1); return withSegment(x, 1, `${p.slice(0, 8)}+${p.slice(9)}`); }),
    c('"/" inside the header', 'RFC 4648 §5', () => { const x = t(); const h = segment(x, 0); return withSegment(x, 0, `${h.slice(0, 4)}/${h.slice(5)}`); }),
    c('a space inside the payload', 'RFC 6750 §2.1 (b64token)', () => { const x = t(); const p = segment(x, 1); return withSegment(x, 1, `${p.slice(0, 10)} ${p.slice(10)}`); }),
    c('spaces around the dots', 'RFC 7515 §7.1', () => t().split('.').join(' . ')),
    c('a tab inside the signature', 'RFC 6750 §2.1', () => { const x = t(); const s = segment(x, 2); return withSegment(x, 2, `${s.slice(0, 5)}\t${s.slice(5)}`); }),
    c('percent-encoded dots', 'RFC 7515 §7.1', () => t().split('.').join('%2E')),
    c('one segment', 'RFC 7515 §7.1', () => segment(t(), 1)),
    c('two segments', 'RFC 7515 §7.1', () => t().split('.').slice(0, 2).join('.')),
    c('four segments', 'RFC 7515 §7.1', () => `${t()}.${segment(t(), 2)}`),
    c('five segments (JWE shape)', 'RFC 7516 §7.1; RFC 8725 §3.12', () => { const x = t(); return `${segment(x, 0)}.${b64text('key')}.${b64text('iv')}.${segment(x, 1)}.${segment(x, 2)}`; }),
    c('only dots "..", no segments', 'RFC 7515 §7.1', () => '..'),
    c('empty payload segment', 'RFC 7515 §7.1', () => withSegment(t(), 1, '')),
    c('empty header segment', 'RFC 7515 §7.1', () => withSegment(t(), 0, '')),
    c('four empty segments', 'RFC 7515 §7.1', () => '...'),
    c('a lone dot', 'RFC 7515 §7.1', () => '.'),
    c('9,000-character token (over maxTokenLength, under the HTTP header limit)', 'contract (maxTokenLength 8192)', () => `${t()}${'A'.repeat(9000)}`),
  ];
}

/** Every corpus case, grouped as the test names cite them. */
export const CORPUS: CorpusCase[] = [
  ...algNone(),
  ...algConfusion(),
  ...signatureTampering(),
  ...kidInjection(),
  ...keyReferences(),
  ...headerPolicy(),
  ...payloadShape(),
  ...claimTypes(),
  ...encoding(),
];

