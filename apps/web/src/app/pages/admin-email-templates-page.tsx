import { Page } from '../../components/page';
import { EmailTemplateEditor } from '../../features/email-templates/components/email-template-editor';

export function AdminEmailTemplatesPage() {
  return (
    <Page title="Email templates" description="The emails Stagecoach sends to people. Changes apply to the next email sent.">
      <EmailTemplateEditor />
    </Page>
  );
}
