export { JwtStrategy } from './jwt.strategy.js';
