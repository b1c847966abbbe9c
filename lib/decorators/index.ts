export * from './current-user.decorator.js';
export * from './public.decorator.js';
