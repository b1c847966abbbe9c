// `nestjs-jwt-refresh/swagger`: OpenAPI documentation of the coded auth errors. Needs `@nestjs/swagger` (an optional peer).
export { ApiAuthErrors } from './api-auth-errors.decorator.js';
export type { ApiAuthErrorsOptions } from './api-auth-errors.decorator.js';
export {
  AUTH_ERROR_SCHEMA, AUTH_PROBLEM_SCHEMA, authErrorExample, authErrorSchema, authErrorStatus, authProblemSchema, GUARD_ERROR_CODES, REFRESH_ERROR_CODES,
} from './auth-error.schemas.js';
