export * from './terminal-gateway.module';
export * from './credentials';
export * from './terminal-command.runner';
