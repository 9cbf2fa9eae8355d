// The operator console (docs/console.md): plain JavaScript against the gateway's own JSON API.
//
// Safe by construction: every value the API answers (subjects, addresses and relay replies come
// from strangers) enters the page as text — textContent and text nodes, never innerHTML — and the
// page's Content-Security-Policy runs no inline script. The admin key lives in sessionStorage
// (gone when the tab closes) and goes out only as the Authorization header of fetch: never in a
// URL or a cookie, so no link and no other site's form can act with it.
'use strict';

(() => {
  const KEY = 'mailroute.console.key';
  const PAGE = 50;
  const MAX_PAGE = 500; // the search's largest page (docs/http-api.md)
  const POLL_MILLIS = 5000;
  const STATES = ['queued', 'deferred', 'held', 'delivered', 'bounced', 'failed', 'expired'];
  // the search fields an operation's filter takes (docs/queue.md); state is the operation's own
  const OPERATION_FILTERS = ['recipient', 'sender', 'messageId', 'since'];
  const OPERATIONS = ['hold', 'release', 'retry', 'delete', 'requeue'];
  const FILTERS = ['recipient', 'sender', 'messageId', 'state', 'since'];

  const $ = (id) => document.getElementById(id);

  /** What is on screen, so that polling refreshes it and late answers of a left view are dropped. */
  const current = { view: null, query: null, id: null, next: null, rows: 0, generation: 0, busy: false };
  let queueEndpoint = true; // false once GET /api/v1/admin/queue answered 404 (this gateway has no queue API)

  /** A refusal of the key: back to the login page. */
  class SignedOut extends Error {}

  /** An element with text children only: strings become text nodes, so no value is ever parsed as HTML. */
  function el(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    for (const child of children) {
      element.append(child instanceof Node ? child : document.createTextNode(child == null ? '\u2014' : String(child)));
    }
    return element;
  }

  function clear(element) {
    element.replaceChildren();
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  function say(element, text) {
    element.textContent = text || '';
    show(element, Boolean(text));
  }

  /** An ISO-8601 UTC time of the API, shortened for a table: 2026-12-05 12:05:59Z. */
  function time(iso) {
    return typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null;
  }

  function stateClass(state) {
    return STATES.includes(state) ? 'state state-' + state : 'state';
  }

  async function detailOf(response) {
    try {
      const problem = await response.json();
      return typeof problem.detail === 'string' ? problem.detail : '';
    } catch (e) {
      return '';
    }
  }

  /** GET of the API with the key as a header; 401 and 403 sign out. */
  async function api(path, key = sessionStorage.getItem(KEY)) {
    if (!key) {
      throw new SignedOut('Sign in with an admin key.');
    }
    const response = await fetch(path, {
      headers: { Authorization: 'Bearer ' + key, Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
    if (response.status === 401) {
      throw new SignedOut('The key is not an admin key of this gateway (mailroute.admin.keys).');
    }
    if (response.status === 403) {
      throw new SignedOut('That is a submit key (mailroute.api.keys); the console needs an admin key (mailroute.admin.keys).');
    }
    return response;
  }

  /** POST of a JSON body to the API with the key as a header; 401 and 403 sign out. */
  async function post(path, body) {
    const key = sessionStorage.getItem(KEY);
    if (!key) {
      throw new SignedOut('Sign in with an admin key.');
    }
    const response = await fetch(path, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + key, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
    if (response.status === 401 || response.status === 403) {
      throw new SignedOut('The key may not operate the queue (' + response.status + '): ' + (await detailOf(response)));
    }
    return response;
  }

  /**
   * The operator's yes or no, in the page's own dialog (resolves true only for Confirm). A delete
   * also offers to tell the senders; whether it was ticked, withNotice reads.
   */
  function confirmed(text, offerNotice) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    $('confirm-notice').hidden = !offerNotice;
    $('confirm-notice-box').checked = false;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.returnValue = 'cancel';
      dialog.showModal();
    });
  }

  /** The request's body, with notifySender when a delete's dialog was ticked to tell the senders. */
  function withNotice(operation, body) {
    if (operation === 'delete' && $('confirm-notice-box').checked) {
      body.notifySender = true;
    }
    return body;
  }

  function capitalized(word) {
    return word.charAt(0).toUpperCase() + word.substring(1);
  }

  /** Removes every message's data from the page and shows the login form, with why. */
  function signOut(message) {
    sessionStorage.removeItem(KEY);
    current.generation++;
    current.view = null;
    for (const id of ['results-body', 'recipients-body', 'timeline', 'detail-fields', 'overview-counts', 'queue-fields',
      'headers-body', 'preview']) {
      clear($(id));
    }
    for (const id of ['key-name', 'detail-id', 'preview-type']) {
      $(id).textContent = '';
    }
    for (const id of ['session', 'overview', 'search-view', 'detail-view']) {
      show($(id), false);
    }
    $('login-key').value = '';
    say($('login-message'), message);
    show($('login-view'), true);
    $('login-key').focus();
  }

  function failed(error, where) {
    if (error instanceof SignedOut) {
      signOut(error.message);
    } else {
      say(where, 'The gateway did not answer: ' + error.message);
    }
  }

  async function signIn(key) {
    const response = await api('/api/v1/admin/whoami', key);
    if (!response.ok) {
      throw new SignedOut('The gateway answered ' + response.status + ' to the sign-in: ' + (await detailOf(response)));
    }
    const who = await response.json();
    sessionStorage.setItem(KEY, key);
    $('key-name').textContent = who.name;
    say($('login-message'), '');
    show($('login-view'), false);
    show($('session'), true);
    queueEndpoint = true;
    await refreshQueue();
    route();
  }

  // ---- views, chosen by the address's fragment: #/search?recipient=... or #/message/<id>

  function route() {
    if (!sessionStorage.getItem(KEY)) {
      signOut('');
      return;
    }
    const hash = location.hash.replace(/^#/, '');
    current.generation++;
    if (hash.startsWith('/message/')) {
      current.view = 'detail';
      current.id = decodeURIComponent(hash.substring('/message/'.length));
      show($('search-view'), false);
      show($('detail-view'), true);
      clear($('detail-fields'));
      clear($('recipients-body'));
      clear($('timeline'));
      clear($('queue-fields'));
      clear($('headers-body'));
      clear($('preview'));
      $('preview-type').textContent = '';
      say($('op-result'), '');
      $('detail-id').textContent = current.id;
      say($('detail-message'), '');
      loadDetail();
    } else {
      current.view = 'search';
      const question = hash.indexOf('?');
      current.query = new URLSearchParams(question < 0 ? '' : hash.substring(question + 1));
      for (const name of FILTERS) {
        $('search-' + name).value = current.query.get(name) || '';
      }
      show($('detail-view'), false);
      show($('search-view'), true);
      show($('bulk'), operationFilter() !== null);
      say($('bulk-result'), '');
      clear($('results-body'));
      current.rows = 0;
      loadSearch(PAGE, null, true);
    }
  }

  function searchPath(limit, cursor) {
    const parameters = new URLSearchParams();
    for (const name of FILTERS) {
      const value = current.query.get(name);
      if (value) {
        parameters.set(name, value);
      }
    }
    parameters.set('limit', String(limit));
    if (cursor) {
      parameters.set('cursor', cursor);
    }
    return '/api/v1/messages?' + parameters.toString();
  }

  /** A page of the search; {@code replace} starts the table anew (a new search, or a refresh). */
  async function loadSearch(limit, cursor, replace) {
    const generation = current.generation;
    let answer;
    try {
      const response = await api(searchPath(limit, cursor));
      if (!response.ok) {
        if (generation === current.generation) {
          say($('search-message'), 'The search was refused (' + response.status + '): ' + (await detailOf(response)));
        }
        return;
      }
      answer = await response.json();
    } catch (error) {
      failed(error, $('search-message'));
      return;
    }
    if (generation !== current.generation) {
      return; // the view changed while this was asked
    }
    say($('search-message'), '');
    const body = $('results-body');
    const rows = answer.messages.map(resultRow);
    if (replace) {
      body.replaceChildren(...rows);
      current.rows = rows.length;
    } else {
      body.append(...rows);
      current.rows += rows.length;
    }
    current.next = answer.next || null;
    show($('more'), Boolean(current.next));
    show($('results-empty'), current.rows === 0);
  }

  function resultRow(message) {
    const link = el('a', null, message.id);
    link.href = '#/message/' + encodeURIComponent(message.id);
    const recipients = el('ul', 'recipients');
    for (const recipient of message.recipients) {
      recipients.append(el('li', null, recipient.address, ' ', el('span', stateClass(recipient.state), recipient.state)));
    }
    if (message.recipientCount > message.recipients.length) {
      recipients.append(el('li', 'more-recipients', '\u2026 ' + (message.recipientCount - message.recipients.length) + ' more'));
    }
    return el('tr', null, el('td', 'time', time(message.acceptedAt)), el('td', 'id', link),
        el('td', null, message.sender), el('td', null, recipients), el('td', 'subject', message.subject));
  }

  async function loadDetail() {
    const generation = current.generation;
    let message;
    try {
      const response = await api('/api/v1/messages/' + encodeURIComponent(current.id) + '?expand=attempts');
      if (!response.ok) {
        if (generation === current.generation) {
          say($('detail-message'), (response.status === 404 ? 'Not found: ' : 'Refused (' + response.status + '): ')
              + (await detailOf(response)));
        }
        return;
      }
      message = await response.json();
    } catch (error) {
      failed(error, $('detail-message'));
      return;
    }
    if (generation !== current.generation) {
      return;
    }
    say($('detail-message'), '');
    const fields = [
      ['Accepted', time(message.acceptedAt)], ['Message-ID', message.messageId], ['Sender', message.sender],
      ['Subject', message.subject], ['Ingress', message.ingress], ['Submitter', message.submitter],
      ['Size', message.size + ' bytes'], ['Recipients', message.recipientCount],
    ];
    $('detail-fields').replaceChildren(...fields.flatMap(([name, value]) => [el('dt', null, name), el('dd', null, value)]));
    $('recipients-body').replaceChildren(...message.recipients.map((r) => el('tr', null,
        el('td', null, r.address), el('td', null, el('span', stateClass(r.state), r.state)), el('td', null, r.attempts),
        el('td', 'reply', r.replyText), el('td', 'time', time(r.changedAt)))));
    // every recipient's attempts on one line of time
    const attempts = message.recipients.flatMap((r) => (r.history || []).map((a) => ({ recipient: r.address, ...a })));
    attempts.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.attempt - b.attempt));
    $('timeline').replaceChildren(...attempts.map((a) => el('li', 'attempt',
        el('span', 'time', time(a.at)), ' ',
        el('span', stateClass(a.outcome), a.outcome), ' ',
        el('span', 'recipient', a.recipient), ' ',
        el('span', 'transport', 'attempt ' + a.attempt + ' by ' + a.transport + (a.relay ? ' via ' + a.relay : '')), ' ',
        el('span', 'reply', [a.replyCode, a.replyStatus].filter((v) => v != null).join(' ')), ' ',
        el('q', 'reply-text', a.replyText), ' ',
        el('span', 'duration', a.durationMs == null ? '' : a.durationMs + ' ms'))));
    if (attempts.length === 0) {
      $('timeline').append(el('li', 'attempt', 'No attempt yet.'));
    }
    await loadQueued(generation);
  }

  /** Where the message waits, its headers and preview (admin queue API), and which operations its state allows. */
  async function loadQueued(generation) {
    let queued = null;
    try {
      const response = await api('/api/v1/admin/queue/messages/' + encodeURIComponent(current.id));
      if (response.ok) {
        queued = await response.json();
      }
    } catch (error) {
      if (error instanceof SignedOut) {
        throw error;
      }
    }
    if (generation !== current.generation) {
      return;
    }
    const queue = queued ? queued.queue : null;
    const where = queue === null ? 'on no queue' : 'mail.' + queue + (queued.deferredUntil ? ' (deferred)' : '');
    $('queue-fields').replaceChildren(el('dt', null, 'Queue'), el('dd', 'queue-name', where),
        el('dt', null, 'Next attempt'), el('dd', 'next-attempt', queued && queued.deferredUntil ? time(queued.deferredUntil)
          : queue === 'outbound' ? 'when a delivery takes it' : null));
    const allowed = {
      hold: queue === 'outbound',
      release: queue === 'held',
      retry: queue === 'outbound' && Boolean(queued.deferredUntil),
      delete: queue === 'outbound' || queue === 'held',
      requeue: queue === 'failed',
    };
    for (const operation of OPERATIONS) {
      $('op-' + operation).disabled = !allowed[operation];
    }
    const headers = queued ? queued.headers || [] : [];
    $('headers-body').replaceChildren(...headers.map((h) => el('tr', null, el('td', null, h.name),
        el('td', null, h.value + (h.truncated ? ' \u2026 (cut)' : '')))));
    say($('headers-omitted'), queued && queued.headersOmitted > 0 ? queued.headersOmitted + ' more headers not shown' : '');
    const preview = queued ? queued.preview : null;
    // the preview is text, whatever its type: text/html is shown as its source, never rendered
    $('preview').textContent = preview ? preview.text + (preview.truncated ? '\n\u2026 (more not shown)' : '')
      : queue === null ? 'Not on a queue.' : 'No preview (a deferred message\'s content is not available).';
    $('preview-type').textContent = preview ? '(' + preview.contentType + ')' : '';
  }

  /** One operation on the message on screen; delete asks first. */
  async function operateOne(operation) {
    if (operation === 'delete'
        && !(await confirmed('Delete message ' + current.id + '? It is not delivered.', true))) {
      return;
    }
    try {
      const response = await post('/api/v1/admin/queue/' + operation, withNotice(operation, { id: current.id }));
      if (!response.ok) {
        say($('op-result'), capitalized(operation) + ' refused (' + response.status + '): ' + (await detailOf(response)));
        return;
      }
      const answer = await response.json();
      say($('op-result'), capitalized(operation) + ': ' + answer.touched + ' message' + (answer.touched === 1 ? '' : 's')
          + ' touched' + (answer.touched === 0 ? ' (it was not on the queue as shown: a delivery may have it)' : '') + '.');
    } catch (error) {
      failed(error, $('detail-message'));
      return;
    }
    current.generation++;
    await refreshQueue().catch(() => {});
    await loadDetail();
  }

  /** The current search as an operation's filter; null when it names none of the filter's fields. */
  function operationFilter() {
    if (!current.query) {
      return null;
    }
    const filter = {};
    for (const name of OPERATION_FILTERS) {
      const value = current.query.get(name);
      if (value) {
        filter[name] = value;
      }
    }
    return Object.keys(filter).length === 0 ? null : filter;
  }

  /** An operation on every message the search matches: counted first (dry run), done only once confirmed. */
  async function operateAll() {
    const operation = $('bulk-operation').value;
    const filter = operationFilter();
    if (filter === null) {
      return; // an empty search never operates on everything
    }
    try {
      const dry = await post('/api/v1/admin/queue/' + operation, { filter, dryRun: true });
      if (!dry.ok) {
        say($('bulk-result'), capitalized(operation) + ' refused (' + dry.status + '): ' + (await detailOf(dry)));
        return;
      }
      const count = (await dry.json()).matched;
      if (count === 0) {
        say($('bulk-result'), 'No message to ' + operation + ' matches.');
        return;
      }
      if (!(await confirmed(capitalized(operation) + ' ' + count + ' message' + (count === 1 ? '' : 's') + '?',
        operation === 'delete'))) {
        say($('bulk-result'), 'Cancelled: nothing done.');
        return;
      }
      const done = await post('/api/v1/admin/queue/' + operation, withNotice(operation, { filter }));
      if (!done.ok) {
        say($('bulk-result'), capitalized(operation) + ' refused (' + done.status + '): ' + (await detailOf(done)));
        return;
      }
      const answer = await done.json();
      say($('bulk-result'), capitalized(operation) + ': ' + answer.touched + ' of ' + answer.matched + ' messages touched.');
    } catch (error) {
      failed(error, $('search-message'));
      return;
    }
    await refreshQueue().catch(() => {});
    await loadSearch(Math.min(MAX_PAGE, Math.max(PAGE, current.rows)), null, true);
  }

  /** Suspends or resumes delivery, through every relay or through one (relay: its name), once confirmed. */
  async function toggleDelivery(relay, suspended) {
    const suspend = !suspended;
    const through = relay ? ' through relay ' + relay : '';
    if (!(await confirmed(suspend ? 'Suspend delivery' + through + '? Mail is still accepted and queued.'
      : 'Resume delivery' + through + '?'))) {
      return;
    }
    try {
      const response = await post('/api/v1/admin/delivery/' + (suspend ? 'suspend' : 'resume')
        + (relay ? '?relay=' + encodeURIComponent(relay) : ''), {});
      say($('overview-message'), response.ok ? '' : 'Refused (' + response.status + '): ' + (await detailOf(response)));
      await refreshQueue();
    } catch (error) {
      failed(error, $('overview-message'));
    }
  }

  /** The queue's counts, from the admin queue API; the panel stays hidden where there is none (404). */
  async function refreshQueue() {
    if (!queueEndpoint) {
      return;
    }
    let queue;
    try {
      const response = await api('/api/v1/admin/queue');
      if (!response.ok) {
        queueEndpoint = response.status !== 404; // no queue API in this gateway: not asked again until a reload
        show($('overview'), false);
        return;
      }
      queue = await response.json();
    } catch (error) {
      if (error instanceof SignedOut) {
        throw error;
      }
      show($('overview'), false);
      return;
    }
    const counts = queue.queues || {};
    const fields = [['Outbound', counts.outbound], ['Deferred', counts.deferred], ['Held', counts.held],
      ['Failed', counts.failed], ['Oldest accepted', time(queue.oldestAcceptedAt)], ['Delivery', queue.delivery],
      ['Delivered/min', queue.deliveredPerMinute], ['Relay circuit', queue.circuit]];
    $('overview-counts').replaceChildren(...fields.flatMap(([name, value]) => [el('dt', null, name), el('dd', null, value)]));
    const toggle = $('delivery-toggle');
    toggle.dataset.delivery = queue.delivery === 'suspended' ? 'suspended' : 'running';
    toggle.textContent = queue.delivery === 'suspended' ? 'Resume delivery' : 'Suspend delivery';
    show(toggle, true);
    // the relays, with a switch each, where the routing file chooses among several (docs/routing.md)
    const relays = Array.isArray(queue.relays) ? queue.relays : [];
    $('overview-relays').querySelector('tbody').replaceChildren(...relays.map((relay) => {
      const button = el('button', null, relay.delivery === 'suspended' ? 'Resume' : 'Suspend');
      button.type = 'button';
      button.addEventListener('click', () => toggleDelivery(relay.name, relay.delivery === 'suspended'));
      return el('tr', null, el('td', null, relay.name), el('td', null, relay.circuit), el('td', null, relay.delivery),
        el('td', null, relay.waiting), el('td', null, button));
    }));
    show($('overview-relays'), relays.length > 1);
    show($('overview'), true);
  }

  /** Every few seconds the view on screen is asked again (not while the tab is hidden, nor twice at once). */
  async function poll() {
    if (current.busy || document.hidden || !sessionStorage.getItem(KEY) || current.view === null) {
      return;
    }
    current.busy = true;
    try {
      await refreshQueue();
      if (current.view === 'search') {
        // the rows on screen again, in one page: paging on stays where it was
        await loadSearch(Math.min(MAX_PAGE, Math.max(PAGE, current.rows)), null, true);
      } else if (current.view === 'detail') {
        await loadDetail();
      }
    } catch (error) {
      failed(error, current.view === 'detail' ? $('detail-message') : $('search-message'));
    } finally {
      current.busy = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const key = $('login-key').value.trim();
      $('login-key').value = '';
      signIn(key).catch((error) => failed(error, $('login-message')));
    });
    $('sign-out').addEventListener('click', () => signOut('Signed out.'));
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const parameters = new URLSearchParams();
      for (const name of FILTERS) {
        const value = $('search-' + name).value.trim();
        if (value) {
          parameters.set(name, value);
        }
      }
      const hash = '#/search' + (parameters.toString() ? '?' + parameters.toString() : '');
      if (location.hash === hash) {
        route(); // the same search again: asked again
      } else {
        location.hash = hash;
      }
    });
    $('more').addEventListener('click', () => {
      if (current.next) {
        current.generation++; // a refresh under way would answer for the rows before this page: dropped
        loadSearch(PAGE, current.next, false);
      }
    });
    for (const operation of OPERATIONS) {
      $('op-' + operation).addEventListener('click', () => operateOne(operation));
    }
    $('bulk-apply').addEventListener('click', () => operateAll());
    $('delivery-toggle').addEventListener('click',
      () => toggleDelivery(null, $('delivery-toggle').dataset.delivery === 'suspended'));
    window.addEventListener('hashchange', route);
    setInterval(poll, POLL_MILLIS);
    const key = sessionStorage.getItem(KEY);
    if (key) {
      signIn(key).catch((error) => failed(error, $('login-message')));
    } else {
      signOut('');
    }
  });
})();
