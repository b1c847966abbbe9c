// nestjs-jwt-refresh/client/axios: the client's refresh rules for axios. Needs
// axios (an optional peer dependency) only for its types; nothing here imports it at run time.
export { attachAuthClient } from './axios-auth.interceptor.js';
