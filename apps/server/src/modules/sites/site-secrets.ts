import fs from 'node:fs/promises';
import { StorageError } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import type { SecretRef } from './sites.config';

/** How a reference is named to operators (never the value). */
export function describeSecret(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

/** The problem with a reference (unset variable, unreadable or empty file), or null when it yields a value. */
export async function secretProblem(config: Pick<Config, 'readSecretEnv'>, ref: SecretRef): Promise<string | null> {
  try {
    await readSecret(config, ref);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Reads a site secret (surrounding whitespace trimmed: files usually end in a newline). Read at
 * use, not cached, so a rotated Kubernetes secret takes effect without a restart. Failures are
 * SITE_UNAVAILABLE for the operator; the message names the reference, never a value.
 */
export async function readSecret(config: Pick<Config, 'readSecretEnv'>, ref: SecretRef): Promise<string> {
  let value: string | undefined;
  if ('env' in ref) {
    value = config.readSecretEnv(ref.env);
  } else {
    value = await fs.readFile(ref.file, 'utf8').catch((e: unknown) => {
      throw new StorageError('SITE_UNAVAILABLE', `The site's secret cannot be read from ${describeSecret(ref)} (${(e as NodeJS.ErrnoException).code ?? 'error'}); an administrator must fix it.`, { retryable: false });
    });
  }
  const trimmed = value?.trim();
  if (!trimmed) throw new StorageError('SITE_UNAVAILABLE', `The site's secret in ${describeSecret(ref)} is ${value === undefined ? 'not set' : 'empty'}; an administrator must fix it.`, { retryable: false });
  return trimmed;
}
