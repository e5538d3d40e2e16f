import { describe, expect, it } from 'vitest';
import { checkTemplate, defaultTemplate, renderTemplate, TEMPLATE_CATALOG, TEMPLATE_KEYS } from './templates';

describe('renderTemplate', () => {
  const t = { subject: 'Hi {{name}}', text: 'Reason: {{ reason }}', html: '<p>{{reason}}</p><a href="{{url}}">x</a>' };

  it('substitutes variables, HTML-escaping them only in the HTML part', () => {
    const out = renderTemplate(t, { name: 'Ada', reason: '<script>alert("x")</script> & more', url: 'https://a.example/?a=1&b=2' });
    expect(out.subject).toBe('Hi Ada');
    expect(out.text).toBe('Reason: <script>alert("x")</script> & more');
    expect(out.html).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</p><a href="https://a.example/?a=1&amp;b=2">x</a>');
  });

  it('keeps the subject on one line so a value cannot add a mail header', () => {
    expect(renderTemplate(t, { name: 'Ada\r\nBcc: victim@example.org', reason: '', url: '' }).subject).toBe('Hi Ada Bcc: victim@example.org');
  });

  it('renders a variable the event does not provide as empty', () => {
    expect(renderTemplate({ subject: 's', text: '[{{nope}}]', html: '' }, {}).text).toBe('[]');
  });
});

describe('checkTemplate', () => {
  it('refuses variables the email does not provide, naming the allowed ones', () => {
    expect(() => checkTemplate('account-approved', { subject: 'Hi {{name}}', text: '{{password}}', html: 'x' })).toThrow(/\{\{password\}\}.*\{\{name\}\}/);
  });

  it('refuses an empty subject or body', () => {
    expect(() => checkTemplate('account-approved', { subject: ' ', text: 'x', html: 'x' })).toThrow(/subject/);
    expect(() => checkTemplate('account-approved', { subject: 's', text: '', html: 'x' })).toThrow(/required/);
  });
});

describe('the shipped templates (fixtures/email-templates)', () => {
  it.each(TEMPLATE_KEYS)('%s exists in three parts and uses only its own variables', (key) => {
    const t = defaultTemplate(key);
    expect(t.subject.length).toBeGreaterThan(5);
    expect(() => checkTemplate(key, t)).not.toThrow();
    const rendered = renderTemplate(t, TEMPLATE_CATALOG[key].variables);
    expect(`${rendered.subject}${rendered.text}${rendered.html}`).not.toMatch(/\{\{/);
  });
});
