export { JwtStrategy } from './jwt.strategy.js';
export type { StrategyContext, StrategyOutcome } from './jwt.strategy.js';
