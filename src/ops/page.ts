// The status page: rendered on the server, so it reads without JavaScript as a snapshot; a few
// lines of inline script swap in the same rendering pushed over Server-Sent Events.
import type { FinishedReply, StatusSnapshot } from './status.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

function table(head: string[], rows: string[][], empty: string, id: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}">${esc(empty)}</p>`;
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table id="${id}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function recentRow(r: FinishedReply, showContent: boolean): string[] {
  const outcome = r.outcome === 'error' ? `error (${esc(r.errorKind ?? 'unknown')})` : r.outcome;
  const row = [clock(r.at), esc(r.platform), esc(r.channel), `<span class="${r.outcome}">${outcome}</span>`, seconds(r.firstTokenMs), seconds(r.firstTextMs), seconds(r.finalMs), String(r.tokens)];
  if (showContent) row.push(esc(r.text ?? ''));
  return row;
}

/** The part of the page that changes; also what each SSE message carries. */
export function renderStatus(s: StatusSnapshot): string {
  const readiness = s.shuttingDown ? 'shutting down' : s.ready ? 'ready' : 'not ready';
  const surfaces = table(
    ['Surface', 'State'],
    s.surfaces.map((x) => [esc(x.platform), `<span class="${x.state}">${x.state}</span>`]),
    'No surfaces.',
    'surfaces',
  );
  const inFlight = table(
    ['Platform', 'Channel', 'Elapsed', 'Tokens so far'],
    s.inFlight.map((r) => [esc(r.platform), esc(r.channel), seconds(s.now - r.startedAt), String(r.tokens)]),
    'No replies in flight.',
    'in-flight',
  );
  const recentHead = ['At (UTC)', 'Platform', 'Channel', 'Outcome', 'First token', 'First text', 'Final', 'Tokens'];
  if (s.showContent) recentHead.push('Text');
  const recent = table(recentHead, s.recent.map((r) => recentRow(r, s.showContent)), 'No replies yet.', 'recent');
  const errors = table(
    ['Kind', 'Count'],
    Object.entries(s.errorsLastHour).map(([k, n]) => [esc(k), String(n)]),
    'No errors in the last hour.',
    'errors',
  );
  const mud = s.mudLink ? `<p>MUD link: <span class="${s.mudLink}" id="mud-link">${s.mudLink}</span></p>` : '';
  return [
    `<p>Status: <strong class="${readiness.replace(' ', '-')}" id="readiness">${readiness}</strong> · updated ${clock(s.now)} UTC</p>`,
    `<h2>Surfaces</h2>${surfaces}${mud}`,
    `<h2>Replies in flight</h2>${inFlight}`,
    `<h2>Last replies</h2>${recent}`,
    `<h2>Errors, last hour</h2>${errors}`,
    `<h2>Tokens today (UTC)</h2><p id="tokens-today">${s.tokensToday}</p>`,
  ].join('\n');
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse}th,td{padding:.2rem .7rem;border-bottom:1px solid #ddd;text-align:left}
.up,.ok,.ready{color:#186a2e}.down,.error,.not-ready,.shutting-down{color:#b00020}.starting,.stopped{color:#8a6d00}
.empty{color:#777}`;

// Re-renders from the event stream; the token (if any) travels in the query string because
// EventSource cannot send headers.
const SCRIPT = `const main=document.getElementById('status');
const es=new EventSource('events'+location.search);
es.onmessage=(e)=>{main.innerHTML=e.data;};`;

export function renderPage(s: StatusSnapshot): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>parley status</title><style>${STYLE}</style></head>
<body><h1>parley</h1>
<main id="status">
${renderStatus(s)}
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
