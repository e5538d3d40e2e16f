import { useNavigate, useSearchParams } from 'react-router';
import { Page } from '../../components/page';
import { requestPath, searchParams } from '../../config/paths';
import { useMe } from '../../features/session/api/get-me';
import { StageForm } from '../../features/staging/components/stage-form';

export function StagePage() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const { data: me } = useMe();
  return (
    <Page
      title="Stage files"
      description="Choose how, pick files from the archive or paste a list, and see where each one lands before you submit."
    >
      <StageForm
        username={me?.username}
        initialSources={search.getAll(searchParams.source)}
        onStaged={(id) => void navigate(requestPath(id))}
      />
    </Page>
  );
}
