import { Alert, Button, Card, Code, EmptyState, SimpleGrid, Skeleton, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useId } from 'react';
import { errorMessage } from '../../../lib/errors';
import { useListMethods } from '../api/list-methods';

interface MethodsListProps {
  /** Heading level of each method's label, so the list fits into any page outline. */
  headingOrder?: 3 | 4;
}

/** The staging methods this deployment offers, with loading, error and empty states. */
export function MethodsList({ headingOrder = 3 }: MethodsListProps) {
  const { data: methods, error, isPending, isError, refetch, isRefetching } = useListMethods();

  if (isPending) return <MethodsListSkeleton />;

  if (isError) {
    return (
      <Alert color="red" title="Staging methods could not be loaded" role="alert">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">{errorMessage(error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void refetch()} loading={isRefetching}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }

  if (methods.length === 0) {
    return (
      <EmptyState
        title="No staging methods are enabled"
        description="This deployment does not offer any staging method yet. Please contact its administrators."
      />
    );
  }

  return (
    <SimpleGrid component="ul" cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" p={0} m={0} style={{ listStyle: 'none' }}>
      {methods.map((method) => (
        <MethodCard key={method.method} headingOrder={headingOrder} {...method} />
      ))}
    </SimpleGrid>
  );
}

interface MethodCardProps {
  method: string;
  label: string;
  description: string;
  headingOrder: 3 | 4;
}

function MethodCard({ method, label, description, headingOrder }: MethodCardProps) {
  const headingId = useId();
  return (
    <Card component="li" withBorder padding="md" radius="md" aria-labelledby={headingId}>
      <Stack gap="xs">
        <Title order={headingOrder} size="h4" id={headingId}>
          {label}
        </Title>
        <Text size="sm">{description}</Text>
        <Text size="xs" c="dimmed">
          Method code <Code>{method}</Code>
        </Text>
      </Stack>
    </Card>
  );
}

function MethodsListSkeleton() {
  return (
    <div aria-busy="true">
      <VisuallyHidden role="status">Loading staging methods…</VisuallyHidden>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" aria-hidden="true">
        {[0, 1, 2].map((i) => (
          <Card key={i} withBorder padding="md" radius="md">
            <Skeleton height={18} width="50%" mb="sm" />
            <Skeleton height={10} mb={6} />
            <Skeleton height={10} width="80%" mb="sm" />
            <Skeleton height={10} width="30%" />
          </Card>
        ))}
      </SimpleGrid>
    </div>
  );
}
