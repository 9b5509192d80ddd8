export * from './terminal/batch-totals';
export * from './terminal/terminal.commands';
export * from './terminal/terminal.decider';
export * from './terminal/terminal.errors';
export * from './terminal/terminal.state';
export * from './terminal-list/terminal-list';
