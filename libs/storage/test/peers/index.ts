// Real peers for tests (no mocks): JupyterHub from Debian and s3rver from npm, on loopback.
export * from './jupyterhub';
export * from './ports';
export * from './s3rver';
