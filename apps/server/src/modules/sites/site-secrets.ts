import fs from 'node:fs/promises';
import { StorageError } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import type { SecretRef } from './sites.config';

/** How a reference is named to operators (never the value). */
export function describeSecret(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

/** The value of a reference, or what is wrong with it (for operators: it names the reference). */
async function lookUp(config: Pick<Config, 'readSecretEnv'>, ref: SecretRef): Promise<{ value: string } | { problem: string }> {
  let value: string | undefined;
  if ('env' in ref) {
    value = config.readSecretEnv(ref.env);
  } else {
    try {
      value = await fs.readFile(ref.file, 'utf8');
    } catch (e) {
      return { problem: `the secret cannot be read from ${describeSecret(ref)} (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  const trimmed = value?.trim();
  if (!trimmed) return { problem: `the secret in ${describeSecret(ref)} is ${value === undefined ? 'not set' : 'empty'}` };
  return { value: trimmed };
}

/** The problem with a reference (unset variable, unreadable or empty file), or null when it yields a value. For the start-up report. */
export async function secretProblem(config: Pick<Config, 'readSecretEnv'>, ref: SecretRef): Promise<string | null> {
  const found = await lookUp(config, ref);
  return 'problem' in found ? found.problem : null;
}

/** What a user reads when a site's secret fails: nothing about where the secret lives. */
export const SECRET_UNAVAILABLE_MESSAGE = "The site's credentials cannot be read right now; an administrator must fix the site's configuration.";

/**
 * Reads a site secret (surrounding whitespace trimmed: files usually end in a newline). Read at
 * use, not cached, so a rotated Kubernetes secret takes effect without a restart. A failure is
 * SITE_UNAVAILABLE with a message for users that names no file or variable; the reference and the
 * reason travel as the error's `cause`, which the worker writes to the server log.
 */
export async function readSecret(config: Pick<Config, 'readSecretEnv'>, ref: SecretRef): Promise<string> {
  const found = await lookUp(config, ref);
  if ('problem' in found) throw new StorageError('SITE_UNAVAILABLE', SECRET_UNAVAILABLE_MESSAGE, { retryable: false, cause: new Error(found.problem) });
  return found.value;
}
