// Text files users attach (notes, logs, source code) are read as part of their message; files
// too large or not text are named back to the user in one short note instead of being dropped.
import { extname } from 'node:path';
import type { TextFile } from '../types.js';

/** Extensions read as text even when the platform says application/octet-stream or nothing. */
const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown rst adoc org log csv tsv json jsonl ndjson yaml yml toml ini cfg conf env properties xml html htm css scss less svg ' +
    'js mjs cjs jsx ts mts cts tsx vue svelte py pyi rb php pl pm lua r jl go rs java kt kts scala groovy c h cc cpp cxx hpp hh cs fs swift m mm ' +
    'dart zig nim ex exs erl hrl clj cljs hs ml mli elm sh bash zsh fish ps1 bat cmd sql graphql gql proto tf hcl dockerfile makefile cmake gradle ' +
    'diff patch tex bib srt vtt lisp el scm rkt asm s v sv vhd'
  ).split(' '),
);
/** Mime types that are text though not text/*. */
const TEXT_MIMES = /^(text\/|application\/(json|x-ndjson|xml|javascript|x-javascript|typescript|x-sh|x-shellscript|x-yaml|yaml|toml|sql|x-tex|x-httpd-php|x-python|x-ruby|x-perl)\b|[^;]*\+(json|xml)\b)/i;
/** Mime types that are never text: not worth downloading to find out. */
const BINARY_MIMES = /^(image|audio|video|font)\/|^application\/(pdf|zip|gzip|x-(7z|rar|tar|bzip2|xz)-?compressed|x-tar|x-7z-compressed|vnd\.|msword|octet-stream-binary|x-msdownload|x-executable|wasm)/i;

export type TextFileVerdict = 'text' | 'binary' | 'unknown';

/** What a file's name and declared type say, before reading it. */
export function classifyFile(name: string, mime?: string | null): TextFileVerdict {
  const ext = extname(name).slice(1).toLowerCase() || name.toLowerCase();
  if (TEXT_EXTENSIONS.has(ext)) return 'text';
  if (mime && TEXT_MIMES.test(mime)) return 'text';
  if (mime && BINARY_MIMES.test(mime)) return 'binary';
  return 'unknown';
}

/** Valid UTF-8 without NUL bytes, or undefined (binary, or another encoding we cannot read). */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    // fatal: invalid UTF-8 throws instead of becoming U+FFFD debris in the prompt.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Reads downloaded bytes as a text file, or says why not. */
export function readTextFile(name: string, mime: string | null | undefined, bytes: Uint8Array, maxBytes: number): TextFile {
  if (bytes.byteLength > maxBytes) return { name, skipped: 'too_large' };
  if (classifyFile(name, mime) === 'binary') return { name, skipped: 'binary' };
  const text = decodeText(bytes);
  return text === undefined ? { name, skipped: 'binary' } : { name, text };
}

/** A fence longer than any run of backticks in the content, so the content cannot close it. */
export function fenceFor(content: string): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** One read file as the model sees it: its name, then its content in a fence. */
export function formatTextFile(name: string, text: string): string {
  const fence = fenceFor(text);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${name}:\n${fence}\n${body}${fence}`;
}

/** The user's text followed by every file that was read; the names of the others for a note. */
export function withTextFiles(text: string, files: TextFile[] | undefined): { text: string; skipped: TextFile[] } {
  if (!files || files.length === 0) return { text, skipped: [] };
  const blocks = files.flatMap((f) => (f.text !== undefined ? [formatTextFile(f.name, f.text)] : []));
  const skipped = files.filter((f) => f.text === undefined);
  return { text: [text, ...blocks].filter((s) => s.trim() !== '').join('\n\n'), skipped };
}
