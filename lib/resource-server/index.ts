export { ResourceServerModule } from './resource-server.module.js';
export type { ResourceServerModuleExtras } from './resource-server.module-definition.js';
export type { ResourceServerModuleOptions, ResourceServerSharedOptions } from './resource-server-options.interface.js';
