export { AuthExceptionFilter, AUTH_EXCEPTION_FILTER_OPTIONS } from './auth-exception.filter.js';
export type { AuthExceptionFilterOptions } from './auth-exception.filter.js';
