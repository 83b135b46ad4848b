import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long an install link works: the OAuth state cookie's and state's lifetime (Bolt's 600 s). */
export const INSTALL_LINK_MINUTES = 10;

export interface InstallFailurePage {
  status: number;
  html: string;
  /** How the failure is logged: a cancel is nobody's problem. */
  log: 'none' | 'info' | 'warn';
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, paragraph: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    `<body style="font-family: sans-serif; padding: 10px 15px"><h2>${title}</h2><p>${paragraph}</p></body>`,
    '</html>',
  ].join('\n');
}

/**
 * The page for an install that did not finish. `code` is the installer's error code, `slackError`
 * the `error` Slack put on the redirect back (`access_denied` when the person pressed Cancel).
 */
export function installFailurePage(failure: {
  code: string;
  slackError: string | null;
  installPath: string;
}): InstallFailurePage {
  const again = `<a href="${escapeHtml(failure.installPath)}">${escapeHtml(failure.installPath)}</a>`;
  if (failure.slackError === 'access_denied') {
    return {
      status: 200,
      html: page(
        'Installation cancelled',
        `Installation cancelled — nothing was installed. To install ftrag after all, start again from ${again}.`,
      ),
      log: 'none',
    };
  }
  if (
    failure.code === 'slack_oauth_invalid_state' ||
    failure.code === 'slack_oauth_missing_state'
  ) {
    return {
      status: 400,
      html: page(
        'This install link no longer works',
        `This install link expired or was opened in another browser: start again from ${again} within ${INSTALL_LINK_MINUTES} minutes.`,
      ),
      log: 'info',
    };
  }
  const slackSaid = failure.slackError ? `; Slack answered ${escapeHtml(failure.slackError)}` : '';
  return {
    status: failure.code === 'slack_oauth_missing_code' ? 400 : 500,
    html: page(
      'ftrag could not be installed',
      `The installation did not finish (${escapeHtml(failure.code)}${slackSaid}). Try again from ${again}; if it keeps failing, tell whoever runs ftrag.`,
    ),
    log: 'warn',
  };
}

/**
 * Bolt's installer `callbackOptions.failure`: answers {@link installFailurePage} (instead of Bolt's
 * "Oops, Something Went Wrong!", a 500 even for a cancel) and logs the failure once.
 */
export function installFailureCallback(
  log: { info(message: string): void; warn(message: string): void },
  installPath: string,
) {
  return (
    error: { code?: string; message: string },
    _options: unknown,
    req: IncomingMessage,
    res: ServerResponse,
  ): void => {
    const slackError = new URL(req.url ?? '/', 'http://localhost').searchParams.get('error');
    const code = error.code ?? 'unknown';
    const answer = installFailurePage({ code, slackError, installPath });
    // The query is not logged: it carries the OAuth code and state.
    const line = `install did not finish (${code}${slackError ? `, Slack's error ${JSON.stringify(slackError.slice(0, 100))}` : ''}): ${error.message}`;
    if (answer.log === 'warn') log.warn(line);
    else if (answer.log === 'info') log.info(line);
    res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(answer.html);
  };
}
