import { useSearchParams } from 'react-router';
import { Page } from '../../components/page';
import { searchParams } from '../../config/paths';
import { LogViewer } from '../../features/logs/components/log-viewer';
import { useMe } from '../../features/session/api/get-me';

export function LogsPage() {
  const { data: me } = useMe();
  const [search, setSearch] = useSearchParams();
  const requestId = search.get(searchParams.request);
  return (
    <Page title="Live log" description="What Stagecoach is doing for you, as it happens.">
      <LogViewer
        canViewAllUsers={me?.role === 'ADMIN'}
        requestId={requestId}
        onRequestIdChange={(id) => {
          const next = new URLSearchParams(search);
          if (id) next.set(searchParams.request, id);
          else next.delete(searchParams.request);
          setSearch(next, { replace: true });
        }}
      />
    </Page>
  );
}
