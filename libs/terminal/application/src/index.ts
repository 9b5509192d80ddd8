export * from './terminal-gateway.module';
export * from './credentials';
export * from './terminal-command.runner';
export { IsoServer, ISO_LIMITS, type IsoLimits } from './iso8583/iso-server';
export * from './terminal-list/terminal-list.projector';
