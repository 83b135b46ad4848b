import { describe, expect, it } from 'vitest';
import { escapeHtml, installFailurePage } from '../src/installFailure.js';

describe('installFailurePage', () => {
  it('answers an unexpected failure 500 with its code, and escapes everything it shows', () => {
    const page = installFailurePage({
      code: 'slack_webapi_platform_error',
      slackError: null,
      installPath: '/slack/install?a="b"',
    });
    expect(page.status).toBe(500);
    expect(page.log).toBe('warn');
    expect(page.html).toContain('(slack_webapi_platform_error)');
    expect(page.html).toContain('<a href="/slack/install?a=&quot;b&quot;">');
  });

  it('treats a missing state like an expired one', () => {
    const page = installFailurePage({
      code: 'slack_oauth_missing_state',
      slackError: null,
      installPath: '/slack/install',
    });
    expect(page).toMatchObject({ status: 400, log: 'info' });
    expect(page.html).toContain('This install link expired or was opened in another browser');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href='x'>"&"</a>`)).toBe(
      '&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;',
    );
  });
});
