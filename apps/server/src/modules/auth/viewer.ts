import type { User } from '../users/user.entity';

/** Who is calling: the user and how they authenticated (cookie sessions additionally need CSRF protection). */
export interface Viewer {
  user: User;
  via: 'token' | 'session';
}

/** Parses `Bearer <secret>`; undefined when absent, '' when present but malformed (rejected). */
export function bearerSecret(header: unknown): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}
