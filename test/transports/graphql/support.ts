import { expect } from '@jest/globals';

export type GqlError = { message: string; path?: string[]; extensions: Record<string, any> };
export type GqlBody = { data: Record<string, any> | null; errors?: GqlError[] };

/** What `{ me { sub } }` answers for a token that expired at `exp` (seconds), with AuthExceptionFilter on either platform. */
export function expectTokenExpired(body: GqlBody, exp: number): void {
  expect(body.data).toEqual({ me: null });
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error!.message).toBe('Token has expired');
  expect(error!.path).toEqual(['me']);
  expect(error!.extensions).toMatchObject({ code: 'TOKEN_EXPIRED', status: 401, expiredAt: new Date(exp * 1000).toISOString() });
  expect(typeof error!.extensions.serverTime).toBe('string');
}
