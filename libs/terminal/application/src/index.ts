export * from './terminal-gateway.module';
export * from './credentials';
