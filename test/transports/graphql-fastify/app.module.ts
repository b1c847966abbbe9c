import { Module } from '@nestjs/common';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFastifyContextFunctionArgument } from '@as-integrations/fastify';
import { AuthModule } from '../../../lib/index.js';
import { MeResolver, typeDefs } from '../graphql/app.module.js';
import { SECRET, SwitchableStore } from '../support.js';

/**
 * On Fastify, @as-integrations/fastify calls the context function with `(request, reply)`, not
 * Express's `({ req, res })`, and @nestjs/apollo's default context is `{ req }` alone. The guard
 * finds the request under `req` and writes its challenge on `res ?? reply`: without `reply` here
 * a 401 still comes back coded, but without its `WWW-Authenticate` header.
 */
export const fastifyContext = (...[req, reply]: ApolloFastifyContextFunctionArgument) => ({ req, reply });

const graphql = (context?: typeof fastifyContext) =>
  GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    typeDefs,
    includeStacktraceInErrorResponses: false,
    ...(context && { context }),
  });

export const store = new SwitchableStore();

/** `globalFilter: true` and a context carrying the reply: coded GraphQL errors and the challenge header. */
@Module({
  imports: [graphql(fastifyContext), AuthModule.forRoot({ secret: SECRET, store, sessionCheck: { cacheTtl: 0 }, isGlobal: true, globalFilter: true })],
  providers: [MeResolver],
})
export class FastifyGraphqlWithFilterModule {}

/** Without the filter: Apollo's own mapping of a 401 `HttpException`; the guard still sets the challenge. */
@Module({
  imports: [graphql(fastifyContext), AuthModule.forRoot({ secret: SECRET, isGlobal: true })],
  providers: [MeResolver],
})
export class FastifyGraphqlWithoutFilterModule {}

/** @nestjs/apollo's default context (`{ req }`, no reply), as an app that sets no `context` gets. */
@Module({
  imports: [graphql(), AuthModule.forRoot({ secret: SECRET, isGlobal: true, globalFilter: true })],
  providers: [MeResolver],
})
export class FastifyGraphqlDefaultContextModule {}
