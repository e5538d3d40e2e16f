import { Badge } from '@mantine/core';
import { useLiveStatus } from '../lib/use-subscription';

const LABELS = {
  idle: { label: 'Not live', color: 'gray' },
  connecting: { label: 'Connecting…', color: 'gray' },
  connected: { label: 'Live', color: 'teal' },
  reconnecting: { label: 'Reconnecting…', color: 'yellow' },
} as const;

/** Shows whether live updates are flowing; "Reconnecting…" while the socket is re-established. */
export function LiveIndicator({ active = true }: { active?: boolean }) {
  const status = useLiveStatus();
  const shown = active ? LABELS[status] : { label: 'Finished', color: 'gray' };
  return (
    <Badge variant="dot" color={shown.color} size="md" role="status" aria-live="polite">
      {shown.label}
    </Badge>
  );
}
