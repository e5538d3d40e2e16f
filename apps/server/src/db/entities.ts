import { HttpSession } from '../modules/auth/http-session.entity';
import { Cart } from '../modules/compat/cart.entity';
import { RequestMacaroon } from '../modules/dcache/request-macaroon.entity';
import { WorkerHeartbeat } from '../modules/jobs/worker-heartbeat.entity';
import { UserQuota } from '../modules/quotas/user-quota.entity';
import { LogEntry } from '../modules/logs/log-entry.entity';
import { EmailTemplate } from '../modules/mail/email-template.entity';
import { OutboxEmail } from '../modules/mail/outbox-email.entity';
import { RemoteOperation } from '../modules/methods/remote-operation.entity';
import { RequestCredential } from '../modules/staging/request-credential.entity';
import { StagedFile } from '../modules/staging/staged-file.entity';
import { StagingRequest } from '../modules/staging/staging-request.entity';
import { ApiToken } from '../modules/tokens/api-token.entity';
import { User } from '../modules/users/user.entity';

/** Explicit list (no folder discovery) so the bundled server and the tests see the same entities. */
export const entities = [User, ApiToken, StagingRequest, StagedFile, LogEntry, WorkerHeartbeat, HttpSession, EmailTemplate, OutboxEmail, UserQuota, Cart, RequestMacaroon, RemoteOperation, RequestCredential];
