import { Anchor, Breadcrumbs, Paper, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Page } from '../../components/page';
import { paths } from '../../config/paths';
import { LogViewer } from '../../features/logs/components/log-viewer';
import { RequestDetail } from '../../features/requests/components/request-detail';
import { useMe } from '../../features/session/api/get-me';
import { shortId } from '../../lib/format';

export function RequestDetailPage() {
  const { requestId = '' } = useParams();
  const { data: me } = useMe();
  return (
    <Page
      title={`Request ${shortId(requestId)}`}
      heading={
        <>
          Request <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{shortId(requestId)}</span>
        </>
      }
    >
      <Breadcrumbs>
        <Anchor component={Link} to={me?.role === 'ADMIN' ? paths.adminRequests : paths.requests} size="sm">
          {me?.role === 'ADMIN' ? 'All requests' : 'Your requests'}
        </Anchor>
        <span style={{ fontSize: 'var(--mantine-font-size-sm)' }}>{requestId}</span>
      </Breadcrumbs>
      <RequestDetail requestId={requestId}>
        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="request-log-heading">
          <Title order={2} size="h4" id="request-log-heading" mb="sm">
            Log
          </Title>
          <LogViewer fixedRequestId={requestId} height="320px" />
        </Paper>
      </RequestDetail>
    </Page>
  );
}
