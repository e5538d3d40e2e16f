import { Progress, Text, Tooltip } from '@mantine/core';
import type { RequestFieldsFragment } from '../../../gql/graphql';
import { formatCount } from '../../../lib/format';

type Counts = Pick<RequestFieldsFragment, 'filesTotal' | 'filesDone' | 'filesSkipped' | 'filesFailed' | 'filesCancelled'>;

/** Percent of `part` in `total`, never NaN. */
export function percent(part: number, total: number): number {
  return total > 0 ? Math.min(100, (part / total) * 100) : 0;
}

/**
 * Files as one stacked bar: done, already there (skipped), failed, cancelled. The label says the
 * same in words, so colour is never the only carrier.
 */
export function FilesProgress({ counts, size = 'md', label }: { counts: Counts; size?: 'sm' | 'md' | 'lg' | 'xl'; label: string }) {
  const { filesTotal: total } = counts;
  const sections = [
    { key: 'done', value: counts.filesDone, color: 'teal', name: 'done' },
    { key: 'skipped', value: counts.filesSkipped, color: 'cyan', name: 'already there' },
    { key: 'failed', value: counts.filesFailed, color: 'red', name: 'failed' },
    { key: 'cancelled', value: counts.filesCancelled, color: 'gray', name: 'cancelled' },
  ].filter((s) => s.value > 0);
  const finished = counts.filesDone + counts.filesSkipped + counts.filesFailed + counts.filesCancelled;
  return (
    <Progress.Root
      size={size}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={finished}
      aria-valuetext={`${formatCount(finished)} of ${formatCount(total)} files finished`}
    >
      {sections.map((s) => (
        <Tooltip key={s.key} label={`${formatCount(s.value)} ${s.name}`} withArrow>
          <Progress.Section value={percent(s.value, total)} color={s.color} aria-hidden="true" />
        </Tooltip>
      ))}
    </Progress.Root>
  );
}

/** A one-line summary of file counts: "7 of 10 done · 1 already there · 2 failed". */
export function FileCountsText({ counts }: { counts: Counts }) {
  const parts = [`${formatCount(counts.filesDone + counts.filesSkipped)} of ${formatCount(counts.filesTotal)} files ready`];
  if (counts.filesSkipped) parts.push(`${formatCount(counts.filesSkipped)} already there`);
  if (counts.filesFailed) parts.push(`${formatCount(counts.filesFailed)} failed`);
  if (counts.filesCancelled) parts.push(`${formatCount(counts.filesCancelled)} cancelled`);
  return (
    <Text size="sm" c="dimmed">
      {parts.join(' · ')}
    </Text>
  );
}
