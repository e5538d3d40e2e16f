export * from './methods';
export * from './statuses';
export * from './error-codes';
export * from './paths';
