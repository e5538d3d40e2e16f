/**
 * The only place that turns error codes into words a user reads. Codes come from the server
 * (`extensions.code` and `StagedFile.error.code`, closed lists in @stagecoach/domain) plus two
 * the client raises itself.
 */
// The contract's codes (API and staged-file) are the closed lists in @stagecoach/domain.
import type { StagedFileErrorCode } from '@stagecoach/domain';

/** Raised by the client when no GraphQL answer arrived at all. */
type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE';
export type ErrorCode = StagedFileErrorCode | ClientErrorCode;

// `satisfies` makes a code added to the lists above without a message fail to compile.
const MESSAGES = {
  UNAUTHENTICATED: 'Please sign in to continue.',
  FORBIDDEN: 'You do not have permission to do this.',
  USER_NOT_APPROVED: 'Your account is waiting for approval by an administrator.',
  NOT_FOUND: 'We could not find what you asked for. It may have been removed.',
  BAD_USER_INPUT: 'Some of the values you entered are not valid.',
  METHOD_NOT_ALLOWED: 'This staging method is not enabled on this service.',
  SOURCE_NOT_FOUND: 'Some source files do not exist.',
  PATH_OUTSIDE_ROOT: 'Paths must stay inside their site: no "..", absolute paths or links that lead outside.',
  TARGET_EXISTS: 'A different file already exists at the target path; it was not overwritten.',
  NOT_CANCELLABLE: 'This request has already finished and can no longer be cancelled.',
  ALREADY_DECIDED: 'This account has already been approved or rejected.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  SITE_UNAVAILABLE: 'A storage site is not reachable right now. Please try again later.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again later.',
  CHECKSUM_MISMATCH: 'The copy did not match the original (checksum mismatch).',
  TRANSFER_FAILED: 'The transfer failed.',
  QUOTA_EXCEEDED: 'There is not enough space left at the target.',
  CANCELLED: 'Cancelled.',
  NETWORK_ERROR: 'Stagecoach could not be reached. Check your connection and try again.',
  BAD_RESPONSE: 'Stagecoach sent an answer we did not understand. Please try again later.',
} as const satisfies Record<ErrorCode, string>;

const FALLBACK_MESSAGE = MESSAGES.INTERNAL_SERVER_ERROR;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(MESSAGES, value);
}

/** Human message for a code; unknown codes (a newer server) get a generic message. */
export function messageForCode(code: string | null | undefined): string {
  return isErrorCode(code) ? MESSAGES[code] : FALLBACK_MESSAGE;
}

/** Reads `code` off anything thrown (GraphQLRequestError, or any error carrying one). */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Context-specific wording for some codes (e.g. what BAD_USER_INPUT means on one form). */
export type MessageOverrides = Partial<Record<ErrorCode, string>>;

/**
 * Human message for anything thrown; never exposes raw server or stack text. `overrides` lets a
 * caller say what a code means in its context, still keyed by the code alone.
 */
export function errorMessage(error: unknown, overrides?: MessageOverrides): string {
  const code = errorCodeOf(error);
  if (overrides && isErrorCode(code) && overrides[code]) return overrides[code];
  return messageForCode(code);
}

/** One bad item of a `stage` request, from `errors[0].extensions.items`. */
export interface ItemProblem {
  /** Position in the submitted `items` list. */
  index: number;
  source: string;
  code: string;
}

// Per-item wording: short, because it is shown next to the path it is about.
const ITEM_MESSAGES: Partial<Record<ErrorCode, string>> = {
  SOURCE_NOT_FOUND: 'Not found on the source site.',
  PATH_OUTSIDE_ROOT: 'Not allowed: the path leads outside its site ("..", an absolute path or a link pointing out).',
  BAD_USER_INPUT: 'Cannot be staged: an empty folder, not a regular file, or two items landing on the same target.',
  TARGET_EXISTS: 'A different file already exists at the target.',
};

/** The short message shown beside one item of a list (e.g. a path in the staging form). */
export function itemMessageForCode(code: string): string {
  return (isErrorCode(code) && ITEM_MESSAGES[code]) || messageForCode(code);
}

/** The per-item problems a `stage` error lists in `extensions.items`; [] when there are none. */
export function itemProblemsOf(error: unknown): ItemProblem[] {
  if (typeof error !== 'object' || error === null || !('extensions' in error)) return [];
  const { items } = (error as { extensions: Record<string, unknown> }).extensions ?? {};
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { index, source, code } = item as Record<string, unknown>;
    if (typeof index !== 'number' || typeof source !== 'string') return [];
    return [{ index, source, code: typeof code === 'string' ? code : errorCodeOf(error) ?? 'BAD_USER_INPUT' }];
  });
}

// Retrying cannot change the answer to these; everything else may be transient.
const PERMANENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'USER_NOT_APPROVED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'METHOD_NOT_ALLOWED',
  'SOURCE_NOT_FOUND',
  'PATH_OUTSIDE_ROOT',
  'TARGET_EXISTS',
  'NOT_CANCELLABLE',
  'ALREADY_DECIDED',
  'BAD_RESPONSE',
]);

export function isRetryableError(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === undefined || !PERMANENT_CODES.has(code);
}
