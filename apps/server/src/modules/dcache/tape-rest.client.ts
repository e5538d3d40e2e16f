/**
 * Client of the WLCG Tape REST API v1 ("WLCG Tape REST API reference document", WLCG Data
 * Management / DOMA, https://cernbox.cern.ch/s/9XvTh6QdlrbmVTq; dCache implements it in its
 * frontend under /api/v1/tape): POST /stage, GET /stage/{id}, POST /stage/{id}/cancel,
 * DELETE /stage/{id}, POST /release/{id}. Errors are RFC 7807 problem documents.
 */
import { StorageError } from '@stagecoach/storage';
import { peerFetch, problemText, type Fetch } from '../../lib/peer-http';

export const TAPE_FILE_STATES = ['SUBMITTED', 'STARTED', 'CANCELLED', 'FAILED', 'COMPLETED'] as const;
export type TapeFileState = (typeof TAPE_FILE_STATES)[number];

export interface TapeFileStatus {
  path: string;
  state: TapeFileState;
  error?: string;
  onDisk?: boolean;
}

export interface TapeRequestStatus {
  id: string;
  files: TapeFileStatus[];
}

export class TapeRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly authorization: string | null,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private url(p: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${p}`;
  }

  private headers(json: boolean): Record<string, string> {
    return { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}), ...(this.authorization ? { authorization: this.authorization } : {}) };
  }

  /** Submits one bulk stage request; answers the peer's request id (201 + {requestId}). */
  async stage(files: { path: string; diskLifetime: string }[], signal?: AbortSignal): Promise<string> {
    const res = await peerFetch(this.fetchImpl, 'tape stage request', this.url('/stage'), { method: 'POST', headers: this.headers(true), body: JSON.stringify({ files }), signal });
    if (res.status !== 201) throw new StorageError('TRANSFER_FAILED', `The tape system refused the stage request: ${await problemText(res)}`, { retryable: false });
    const body = (await res.json()) as { requestId?: string };
    if (!body.requestId) throw new StorageError('TRANSFER_FAILED', 'The tape system answered without a request id.', { retryable: true });
    return body.requestId;
  }

  /** The per-file states of a stage request; NOT_FOUND when the peer forgot it. */
  async status(id: string, signal?: AbortSignal): Promise<TapeRequestStatus | null> {
    const res = await peerFetch(this.fetchImpl, 'tape stage status', this.url(`/stage/${encodeURIComponent(id)}`), { method: 'GET', headers: this.headers(false), signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) throw new StorageError('TRANSFER_FAILED', `The tape system could not report progress: ${await problemText(res)}`, { retryable: true });
    const body = (await res.json()) as { id: string; files: TapeFileStatus[] };
    return { id: body.id ?? id, files: body.files.map((f) => ({ ...f, state: String(f.state).toUpperCase() as TapeFileState })) };
  }

  /** Cancels the still-pending files of a stage request. */
  async cancel(id: string, paths: string[]): Promise<void> {
    const res = await peerFetch(this.fetchImpl, 'tape stage cancel', this.url(`/stage/${encodeURIComponent(id)}/cancel`), { method: 'POST', headers: this.headers(true), body: JSON.stringify({ paths }) });
    await res.body?.cancel();
    if (res.status !== 200 && res.status !== 404) throw new StorageError('TRANSFER_FAILED', `The tape system refused to cancel: HTTP ${res.status}`, { retryable: true });
  }

  /** Releases the pins of files brought online by a stage request (the disk copies may be evicted). */
  async release(id: string, paths: string[]): Promise<void> {
    const res = await peerFetch(this.fetchImpl, 'tape release', this.url(`/release/${encodeURIComponent(id)}`), { method: 'POST', headers: this.headers(true), body: JSON.stringify({ paths }) });
    await res.body?.cancel();
    if (res.status !== 200 && res.status !== 404) throw new StorageError('TRANSFER_FAILED', `The tape system refused to release: HTTP ${res.status}`, { retryable: true });
  }

  /** Forgets a stage request at the peer (after cancel/release). */
  async delete(id: string): Promise<void> {
    const res = await peerFetch(this.fetchImpl, 'tape stage delete', this.url(`/stage/${encodeURIComponent(id)}`), { method: 'DELETE', headers: this.headers(false) });
    await res.body?.cancel();
  }
}
