import { Controller, DynamicModule, Get, Module, UseGuards } from '@nestjs/common';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { AuthModule, CurrentUser, JwtGuard } from '../../lib/index.js';
import type { AccessTokenClaims, AuthModuleOptions } from '../../lib/index.js';

/** The current HMAC key (signs) and the previous one (still verifies), as after a rotation. */
export const HS_CURRENT = { kid: 'hs-2026', secret: 'security-corpus-current-secret-32-bytes-at-least' };
export const HS_PREVIOUS = { kid: 'hs-2025', secret: 'security-corpus-previous-secret-32-bytes-at-least' };

export const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const EC = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
/** The attacker's own key pairs: what `jwk`/`jku`/`x5c` forgeries point at. */
export const ATTACKER_RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const ATTACKER_EC = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

export const EC_KID = 'ec-1';

/** PEM text of a public key, the exact string an attacker downloads from a JWKS or a certificate. */
export const spkiPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;

@Controller('me')
@UseGuards(JwtGuard)
class GuardedController {
  @Get()
  me(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }
}

@Module({})
class DeploymentModule {
  static with(options: AuthModuleOptions): DynamicModule {
    return { module: DeploymentModule, imports: [AuthModule.forRoot({ ...options, isGlobal: true })], controllers: [GuardedController] };
  }
}

/** The sample's shape: one secret, no kid, the session check on (the default). */
export const SESSION_SECRET = 'security-corpus-session-secret-32-bytes-at-least';
export const sessionDeployment = () => DeploymentModule.with({ secret: SESSION_SECRET });

/**
 * The three deployments the corpus attacks: a rotated HS256 key ring, RS256 without kid, ES256 with a kid.
 * The corpus attacks verification itself and its tokens name no real session, so the session check is off;
 * `sessionDeployment` covers forgeries that name a live session.
 */
export const DEPLOYMENTS = {
  HS256: () => DeploymentModule.with({ keys: [HS_CURRENT, HS_PREVIOUS], signingKeyId: HS_CURRENT.kid, sessionCheck: false }),
  RS256: () => DeploymentModule.with({ keys: [{ algorithm: 'RS256', privateKey: RSA.privateKey }], sessionCheck: false }),
  ES256: () => DeploymentModule.with({ keys: [{ kid: EC_KID, algorithm: 'ES256', privateKey: EC.privateKey }], sessionCheck: false }),
};
