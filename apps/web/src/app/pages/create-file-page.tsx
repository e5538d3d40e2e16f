import { Page } from '../../components/page';
import { CreateFileForm } from '../../features/file-tool/components/create-file-form';

export function CreateFilePage() {
  return (
    <Page
      title="Create a test file"
      description="Make a file of any size (or with your own text) in the archive's sandbox, then stage it to try a method end to end."
    >
      <CreateFileForm />
    </Page>
  );
}
