import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  QUEUED: 'gray',
  PENDING: 'gray',
  RUNNING: 'blue',
  SUCCEEDED: 'teal',
  DONE: 'teal',
  SKIPPED: 'cyan',
  PARTIALLY_SUCCEEDED: 'orange',
  FAILED: 'red',
  CANCELLED: 'gray',
  ACTIVE: 'teal',
  REJECTED: 'red',
  DISABLED: 'gray',
  ADMIN: 'grape',
  USER: 'blue',
};

const LABELS: Record<string, string> = {
  PARTIALLY_SUCCEEDED: 'Partly succeeded',
  SKIPPED: 'Already there',
};

/** "PARTIALLY_SUCCEEDED" → "Partly succeeded"; other enum values in sentence case. */
export function statusLabel(status: string): string {
  return LABELS[status] ?? status.charAt(0) + status.slice(1).toLowerCase().replaceAll('_', ' ');
}

/** A coloured badge for a request, file or account status (text, not colour alone, carries it). */
export function StatusBadge({ status, size = 'sm' }: { status: string; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" size={size} radius="sm">
      {statusLabel(status)}
    </Badge>
  );
}
