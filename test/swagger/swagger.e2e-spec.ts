import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { AuthErrorCode } from '../../lib/index.js';
import {
  ApiAuthErrors, AUTH_ERROR_SCHEMA, authErrorSchema, GUARD_ERROR_CODES, REFRESH_ERROR_CODES,
} from '../../lib/swagger/index.js';
import { createApp } from '../support/create-app.js';
import { SwaggerAppModule, SwaggerProblemAppModule } from './app.module.js';

function documentOf(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('t').addBearerAuth().build());
}

/** Every property of `body` is declared by `schema`, and every required one is present. */
function expectMatchesSchema(body: Record<string, unknown>, schema: any) {
  expect(Object.keys(body).filter((k) => !(k in schema.properties))).toEqual([]);
  for (const key of schema.required) expect(body).toHaveProperty(key);
  expect(schema.properties.code.enum).toContain(body.code);
}

describe('ApiAuthErrors() in a SwaggerModule document', () => {
  let app: INestApplication;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    app = await createApp(SwaggerAppModule, 'express');
    doc = documentOf(app);
  });
  afterAll(() => app.close());

  it('documents the 401 of a guarded route with the schema, the guard codes and the challenge header', () => {
    const op = doc.paths['/me']!.get!;
    expect(op.security).toEqual([{ bearer: [] }]);
    const unauthorized = op.responses['401'] as any;
    expect(unauthorized.headers['WWW-Authenticate']).toBeDefined();
    const media = unauthorized.content['application/json'];
    expect(media.schema.required).toEqual(['statusCode', 'code', 'message', 'error']);
    expect(media.schema.properties.code.enum).toEqual(['NO_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_NOT_ACTIVE', 'INVALID_TOKEN', 'TOKEN_REVOKED']);
    expect(media.schema.properties.expiredAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(Object.keys(media.examples)).toEqual(['NO_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_NOT_ACTIVE', 'INVALID_TOKEN', 'TOKEN_REVOKED']);
    expect(media.examples.TOKEN_EXPIRED.value).toMatchObject({ statusCode: 401, code: 'TOKEN_EXPIRED', expiredAt: expect.any(String) });
  });

  it('documents the 503 with AUTH_STORE_UNAVAILABLE and Retry-After', () => {
    const unavailable = doc.paths['/me']!.get!.responses['503'] as any;
    expect(unavailable.headers['Retry-After']).toBeDefined();
    expect(unavailable.content['application/json'].schema.properties.code.enum).toEqual(['AUTH_STORE_UNAVAILABLE']);
    expect(unavailable.content['application/json'].examples.AUTH_STORE_UNAVAILABLE.value).toMatchObject({ statusCode: 503, retryAfter: 1 });
  });

  it('documents the refresh codes as application/problem+json when asked', () => {
    const responses = doc.paths['/auth/refresh']!.post!.responses as any;
    const media = responses['401'].content['application/problem+json'];
    expect(responses['401'].content['application/json']).toBeUndefined();
    expect(media.schema.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    expect(media.schema.properties.code.enum).toEqual(REFRESH_ERROR_CODES.filter((c) => c !== 'AUTH_STORE_UNAVAILABLE'));
    expect(media.examples.REFRESH_TOKEN_REUSED.value).toMatchObject({ type: 'urn:nestjs-jwt-refresh:problem:refresh-token-reused', status: 401 });
    expect(responses['503']).toBeDefined();
  });

  it('leaves undecorated routes alone', () => {
    expect(Object.keys(doc.paths['/auth/open']!.get!.responses)).toEqual(['200']);
  });

  it('documents exactly what the server sends: the NO_TOKEN example is the real body', async () => {
    const example = (doc.paths['/me']!.get!.responses['401'] as any).content['application/json'].examples.NO_TOKEN.value;
    const res = await request(app.getHttpServer()).get('/me').expect(401);
    expect(res.body).toEqual(example);
    expectMatchesSchema(res.body, AUTH_ERROR_SCHEMA);
  });

  it('documents exactly what the server sends: a refresh error body fits the documented schema', async () => {
    const res = await request(app.getHttpServer()).post('/auth/refresh').send({ refreshToken: 'nope' }).expect(401);
    expectMatchesSchema(res.body, authErrorSchema(REFRESH_ERROR_CODES));
  });

  it('refuses an empty code list with a message', () => {
    expect(() => ApiAuthErrors({ codes: [] })).toThrow(/at least one AuthErrorCode/);
  });

  it('exports schemas whose code enum is every AuthErrorCode, and guard codes that are all codes', () => {
    expect((AUTH_ERROR_SCHEMA.properties!.code as any).enum).toEqual(Object.values(AuthErrorCode));
    for (const code of GUARD_ERROR_CODES) expect(Object.values(AuthErrorCode)).toContain(code);
  });
});

describe('ApiAuthErrors({ format: "problem" }) against errorFormat: "problem"', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(SwaggerProblemAppModule, 'express');
  });
  afterAll(() => app.close());

  it('documents the body the problem format really sends', async () => {
    const media = (documentOf(app).paths['/auth/refresh']!.post!.responses['401'] as any).content['application/problem+json'];
    const res = await request(app.getHttpServer()).post('/auth/refresh').send({}).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(media.examples.REFRESH_TOKEN_MISSING.value);
    expectMatchesSchema(res.body, media.schema);
  });
});
