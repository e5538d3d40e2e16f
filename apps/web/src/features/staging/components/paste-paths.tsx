import { Button, Group, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { formatCount } from '../../../lib/format';
import { parsePastedPaths, type SelectedItem } from '../lib/stage-items';

interface PastePathsProps {
  onAdd: (items: SelectedItem[]) => void;
  label?: string;
  description?: string;
  placeholder?: string;
}

/** A list of paths, one per line (e.g. copied from a catalogue query), added to the selection. */
export function PastePaths({
  onAdd,
  label = 'Paths to stage',
  description = 'One path per line, relative to the source site, e.g. observations/2024-03/obs-0001.fits. Folders stage every file below them. Lines starting with # are ignored.',
  placeholder = 'observations/2024-03/obs-0001.fits\ncatalogs/stars.csv',
}: PastePathsProps) {
  const [text, setText] = useState('');
  const [added, setAdded] = useState<number | null>(null);
  const items = parsePastedPaths(text);

  const add = () => {
    if (items.length === 0) return;
    onAdd(items);
    setAdded(items.length);
    setText('');
  };

  return (
    <div>
      <Textarea
        label={label}
        description={description}
        placeholder={placeholder}
        autosize
        minRows={4}
        maxRows={12}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setAdded(null);
        }}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter adds without reaching for the mouse.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            add();
          }
        }}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      />
      <Group mt="xs" gap="sm">
        <Button variant="light" onClick={add} disabled={items.length === 0}>
          {items.length > 0 ? `Add ${formatCount(items.length)} ${items.length === 1 ? 'path' : 'paths'}` : 'Add paths'}
        </Button>
        <Text size="xs" c="dimmed" role="status">
          {added !== null ? `Added ${formatCount(added)} ${added === 1 ? 'path' : 'paths'} to the selection.` : 'Ctrl+Enter adds them too.'}
        </Text>
      </Group>
    </div>
  );
}
