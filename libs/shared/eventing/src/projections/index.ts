export * from './projection';
export * from './documents';
export * from './digest';
export * from './source';
export * from './replay';
export * from './rebuild';
