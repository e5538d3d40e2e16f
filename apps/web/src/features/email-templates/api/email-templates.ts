import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const ListEmailTemplatesQuery = graphql(`
  query ListEmailTemplates {
    emailTemplates {
      key
      description
      subject
      text
      html
      variables
      customized
      updatedAt
    }
  }
`);

export const PreviewEmailTemplateQuery = graphql(`
  query PreviewEmailTemplate($key: String!, $subject: String, $text: String, $html: String) {
    previewEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {
      subject
      text
      html
    }
  }
`);

export const UpdateEmailTemplateMutation = graphql(`
  mutation UpdateEmailTemplate($key: String!, $subject: String!, $text: String!, $html: String!) {
    updateEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {
      key
      subject
      text
      html
      customized
      updatedAt
    }
  }
`);

const root = 'email-templates';

export const emailTemplatesQueryOptions = () =>
  queryOptions({
    queryKey: [root, 'list'] as const,
    queryFn: ({ signal }) => execute(ListEmailTemplatesQuery, {}, { signal }),
    select: (data) => data.emailTemplates,
  });

export function useEmailTemplates() {
  return useQuery(emailTemplatesQueryOptions());
}

export interface TemplateDraft {
  key: string;
  subject: string;
  text: string;
  html: string;
}

/** The draft rendered with sample values by the server (the same code that sends the emails). */
export function useEmailPreview(draft: TemplateDraft | null) {
  return useQuery({
    queryKey: [root, 'preview', draft] as const,
    queryFn: ({ signal }) => execute(PreviewEmailTemplateQuery, draft!, { signal }).then((data) => data.previewEmailTemplate),
    enabled: draft !== null,
    // While the next draft renders, keep showing the last preview instead of flashing a skeleton.
    placeholderData: (previous) => previous,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useUpdateEmailTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (draft: TemplateDraft) => execute(UpdateEmailTemplateMutation, draft).then((data) => data.updateEmailTemplate),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [root] }),
  });
}
