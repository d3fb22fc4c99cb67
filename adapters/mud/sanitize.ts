// A reply line is data, never a command. Model text may contain newlines ("\nquit"), the MUD's
// command separators (";drop all"), ANSI escapes, telnet IAC or other control bytes; none of it
// may reach the socket as anything but inert text on one line.
import { stripVTControlCharacters } from 'node:util';
import iconv from 'iconv-lite';
import { IAC } from './telnet.js';

/** C0 and C1 control characters, DEL, and Unicode line/paragraph separators. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export interface SanitizeOptions {
  encoding: string;
  /** Strings the MUD treats as "next command" (e.g. ';'); each becomes a space. */
  commandSeparators: readonly string[];
}

/** One safe line of text: no newline, control, escape, separator, or char that encodes to 0xFF. */
export function sanitizeLine(text: string, opts: SanitizeOptions): string {
  let out = stripVTControlCharacters(text).replace(CONTROL_CHARS, ' ');
  for (const sep of opts.commandSeparators) if (sep) out = out.split(sep).join(' ');
  out = dropIacChars(out, opts.encoding);
  return out.replace(/ {2,}/g, ' ').trim();
}

/**
 * In single-byte encodings (latin1) 'ÿ' encodes to 0xFF, the telnet IAC byte. The telnet writer
 * would escape it, but a reply should not depend on that: drop any character whose encoding
 * holds 0xFF.
 */
function dropIacChars(text: string, encoding: string): string {
  if (!iconv.encode(text, encoding).includes(IAC)) return text;
  let out = '';
  for (const ch of text) if (!iconv.encode(ch, encoding).includes(IAC)) out += ch;
  return out;
}

/** Byte length of text once encoded for the MUD. */
export function encodedLength(text: string, encoding: string): number {
  return iconv.encode(text, encoding).length;
}
