import { BadRequestException } from '@nestjs/common';

// Long enough for any real credential, short enough that nobody hashes megabytes for us.
const MAX_FIELD_LENGTH = 1024;

// Fastify's parser refuses these keys; Express's keeps them as own properties. Refusing them here makes both answer 400.
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (POLLUTING_KEYS.some((key) => Object.prototype.hasOwnProperty.call(value, key))) {
    throw new BadRequestException('The body holds a forbidden key.');
  }
  return true;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = Object.prototype.hasOwnProperty.call(body, name) ? body[name] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD_LENGTH) {
    throw new BadRequestException(`"${name}" must be a non-empty string of at most ${MAX_FIELD_LENGTH} characters.`);
  }
  return value;
}

/** `POST /auth/login` body: anything else is a 400, never a 401 or a 500. */
export function parseLoginBody(body: unknown): { username: string; password: string } {
  if (!isPlainObject(body)) throw new BadRequestException('Send a JSON object {"username": "...", "password": "..."}.');
  return { username: stringField(body, 'username'), password: stringField(body, 'password') };
}

/**
 * `POST /auth/refresh` body. No body, or no `refreshToken`, is fine (cookie mode
 * or the coded REFRESH_TOKEN_MISSING); a `refreshToken` that is not a string is a 400.
 */
export function parseRefreshBody(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (!isPlainObject(body)) throw new BadRequestException('Send a JSON object {"refreshToken": "..."}.');
  if (!Object.prototype.hasOwnProperty.call(body, 'refreshToken')) return undefined;
  const token = body.refreshToken;
  if (typeof token !== 'string') throw new BadRequestException('"refreshToken" must be a string.');
  return token;
}
