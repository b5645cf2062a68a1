// Every call to Dray's API goes through here: the token (kept in sessionStorage, sent as a Bearer token), a 401 that
// brings the token prompt back, and errors as Dray answers them ({code, message}).

const TOKEN_KEY = 'dray.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let tokenPrompt = null; // one prompt at a time: every request that got a 401 waits for the same token

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Shows the token dialog and resolves once a token was entered. */
function askForToken(rejected) {
  if (!tokenPrompt) {
    tokenPrompt = new Promise(resolve => {
      const dialog = document.getElementById('token-dialog');
      const form = document.getElementById('token-form');
      const input = document.getElementById('token-input');
      const error = document.getElementById('token-error');
      error.hidden = !rejected;
      error.textContent = rejected ? 'Dray refused that token (401): enter another.' : '';
      input.value = '';
      const onSubmit = event => {
        event.preventDefault();
        const value = input.value.trim();
        if (!value) {
          error.hidden = false;
          error.textContent = 'Enter a token.';
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, value);
        form.removeEventListener('submit', onSubmit);
        dialog.close();
        tokenPrompt = null;
        resolve(value);
      };
      form.addEventListener('submit', onSubmit);
      // The page has nothing to show without a token: the dialog cannot be dismissed with Escape.
      dialog.addEventListener('cancel', event => event.preventDefault());
      dialog.showModal();
      input.focus();
    });
  }
  return tokenPrompt;
}

/**
 * fetch() against the API: JSON in, JSON out. A 401 asks for a token (again) and retries; any other error answer
 * throws an ApiError with Dray's message.
 */
export async function api(path, options = {}) {
  for (;;) {
    const headers = new Headers(options.headers || {});
    headers.set('Accept', 'application/json');
    const current = token();
    if (current) headers.set('Authorization', 'Bearer ' + current);
    let response;
    try {
      response = await fetch(path, { ...options, headers });
    } catch (e) {
      throw new ApiError(0, 'Dray cannot be reached: ' + e.message);
    }
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      await askForToken(Boolean(current));
      continue;
    }
    if (response.status === 204) return { body: null, response };
    const text = await response.text();
    let body = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw new ApiError(response.status, `Dray answered ${response.status} with something that is not JSON`);
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, body && body.message ? body.message : `Dray answered ${response.status}`);
    }
    return { body, response };
  }
}

/** The address of a live stream (SSE): an EventSource cannot send headers, so the token goes as access_token. */
export function streamUrl(path) {
  const current = token();
  if (!current) return path;
  return path + (path.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(current);
}

/**
 * A live stream (SSE) that comes back after it failed for good: a browser does not tell why an EventSource closed,
 * so the health route is asked, which answers 401 (and brings the token prompt back) when the token was the reason,
 * then the stream is opened again. A stream that merely dropped is reopened by the browser itself.
 *
 * @param path a function that gives the stream's address at each (re)opening, e.g. with the next log index
 * @param listen attaches the caller's listeners to each new EventSource
 * @param onError shows what went wrong
 * @returns {{close: function}}
 */
export function openStream(path, listen, onError) {
  let source = null;
  let closed = false;
  let failures = 0;
  const open = () => {
    if (closed) return;
    source = new EventSource(streamUrl(path()));
    source.addEventListener('open', () => { failures = 0; });
    source.addEventListener('error', event => {
      if (event.data || source.readyState !== EventSource.CLOSED || closed) return; // Dray's own "event: error", or a retry
      failures++;
      api('/health').then(
        () => {
          if (failures > 3) {
            onError(new ApiError(0, 'the live stream keeps failing; reload the page to listen again'));
          } else {
            setTimeout(open, 1000 * failures);
          }
        },
        e => onError(e));
    });
    listen(source);
  };
  open();
  return {
    close() {
      closed = true;
      if (source) source.close();
    },
  };
}
