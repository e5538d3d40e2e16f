import { Group, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { useId } from 'react';

export interface MethodOption {
  method: string;
  label: string;
  description: string;
}

interface MethodPickerProps {
  methods: readonly MethodOption[];
  value: string | null;
  onChange: (method: string) => void;
  error?: string;
}

/**
 * Only the methods this deployment enables, each with its description, as one radio group
 * (arrow keys move between the cards).
 */
export function MethodPicker({ methods, value, onChange, error }: MethodPickerProps) {
  return (
    <Radio.Group
      value={value}
      onChange={onChange}
      name="method"
      label="How should the files be made available?"
      description="Only the methods this service offers are listed."
      error={error}
      withAsterisk
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mt="xs">
        {methods.map((m) => (
          <MethodCard key={m.method} {...m} />
        ))}
      </SimpleGrid>
    </Radio.Group>
  );
}

function MethodCard({ method, label, description }: MethodOption) {
  const id = useId();
  return (
    <Radio.Card value={method} radius="md" p="md" aria-labelledby={`${id}-label`} aria-describedby={`${id}-description`}>
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <Radio.Indicator mt={2} />
        <Stack gap={4}>
          <Text fw={600} size="sm" id={`${id}-label`}>
            {label}
          </Text>
          <Text size="sm" c="dimmed" id={`${id}-description`}>
            {description}
          </Text>
        </Stack>
      </Group>
    </Radio.Card>
  );
}
