import { Module, UseGuards } from '@nestjs/common';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { AuthModule, CurrentUser, JwtGuard, Public } from '../../../lib/index.js';
import type { AccessTokenClaims } from '../../../lib/index.js';
import { SECRET, SwitchableStore } from '../support.js';

/** Shared with the Fastify test (test/transports/graphql-fastify/). */
export const typeDefs = /* GraphQL */ `
  type Me {
    sub: String!
    sid: String!
    role: String
  }
  type Query {
    me: Me
    sub: String
    health: String!
  }
`;

@Resolver()
@UseGuards(JwtGuard)
export class MeResolver {
  @Query('me')
  me(@CurrentUser() user: AccessTokenClaims) {
    return user;
  }

  @Query('sub')
  sub(@CurrentUser('sub') sub: string) {
    return sub;
  }

  @Public()
  @Query('health')
  health() {
    return 'ok';
  }
}

const graphql = GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, typeDefs, includeStacktraceInErrorResponses: false });

export const store = new SwitchableStore();

/** With `globalFilter: true`: `AuthExceptionFilter` turns auth errors into GraphQL errors coded by the library. */
@Module({
  imports: [graphql, AuthModule.forRoot({ secret: SECRET, store, sessionCheck: { cacheTtl: 0 }, isGlobal: true, globalFilter: true })],
  providers: [MeResolver],
})
export class GraphqlWithFilterModule {}

/** Without the filter: Apollo's own mapping of a 401 `HttpException`. */
@Module({
  imports: [graphql, AuthModule.forRoot({ secret: SECRET, isGlobal: true })],
  providers: [MeResolver],
})
export class GraphqlWithoutFilterModule {}
