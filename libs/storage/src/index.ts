export * from './errors';
export * from './path-safety';
export * from './posix';
export * from './temps';
