import path from 'node:path';
import { normalizeRelativePath } from '@stagecoach/domain';
import { resolveInsideForWrite, writeFileAtomic } from '@stagecoach/storage';
import { AppError } from '../../lib/errors';
import type { Container } from '../../container';
import type { User } from '../users/user.entity';
import { toAppError } from '../sites/storage-errors';

/** Upper bound for generated files: the tool makes test data, not disk-filling jobs. */
export const MAX_CREATED_BYTES = 10 * 1024 ** 3;

export interface CreatedFileView {
  path: string;
  sizeBytes: number;
  checksum: string;
}

/**
 * The file-creation tool (the SKAO seed's "create file" page, made safe): writes only under the
 * default source site's sandbox folder, never overwrites, and is limited to admins unless
 * FILE_TOOL=users.
 */
export class FileToolService {
  constructor(private readonly c: Pick<Container, 'config' | 'sites'>) {}

  async create(viewer: User, input: { path: string; sizeBytes?: number | null; content?: string | null }): Promise<CreatedFileView> {
    if (viewer.role !== 'ADMIN' && this.c.config.fileTool !== 'users') {
      throw new AppError('FORBIDDEN', 'Only administrators may create files here.');
    }
    const hasSize = input.sizeBytes !== undefined && input.sizeBytes !== null;
    const hasContent = input.content !== undefined && input.content !== null;
    if (hasSize === hasContent) throw new AppError('BAD_USER_INPUT', 'Give either sizeBytes (random bytes) or content (text), not both.');
    if (hasSize && (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes! < 0 || input.sizeBytes! > MAX_CREATED_BYTES)) {
      throw new AppError('BAD_USER_INPUT', `sizeBytes must be a whole number between 0 and ${MAX_CREATED_BYTES}.`);
    }
    if (hasContent && Buffer.byteLength(input.content!) > 10 * 1024 ** 2) throw new AppError('BAD_USER_INPUT', 'Text content is limited to 10 MiB.');
    const site = this.c.sites.source();
    if (!site.sandbox) throw new AppError('SITE_UNAVAILABLE', 'The source site has no sandbox folder configured.');
    const rel = normalizeRelativePath(input.path);
    if (!rel.ok) throw new AppError('PATH_OUTSIDE_ROOT', `The path ${JSON.stringify(input.path)} is not allowed: ${rel.reason}.`);
    try {
      const abs = await resolveInsideForWrite(path.join(site.root, site.sandbox), rel.path);
      const result = await writeFileAtomic(abs, hasContent ? input.content! : { randomBytes: input.sizeBytes! });
      return { path: `${site.sandbox}/${rel.path}`, sizeBytes: result.sizeBytes, checksum: result.sha256 };
    } catch (e) {
      throw toAppError(e);
    }
  }
}
