// Where a line (or a message) may not break inside text without spaces: closing punctuation never
// starts a line and opening punctuation never ends one (UAX #14 classes CL/CP/EX/IS/NS and OP;
// the basics of Japanese kinsoku shori, which Chinese typesetting follows too). Shared by the
// wrapper (MUD, console lines) and the splitter's cut choice.

/** Closing brackets and quotes, commas, stops, small kana, iteration and prolonged sound marks. */
const NO_LINE_START =
  '、。，．：；？！）］｝〕〉》」』】〙〗〛〞〟’”»›‥…・゠ー゛゜ヽヾゝゞ々〻' +
  'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ' +
  '｡｣､･ｰｧｨｩｪｫｬｭｮｯ％‰℃' +
  ')]},.;:!?%';
/** Opening brackets and quotes. */
const NO_LINE_END = '（［｛〔〈《「『【〘〖〚〝‘“«‹｢([{';

const NO_START = 1;
const NO_END = 2;
/** Per BMP code unit (all of these are BMP): a table, because this is asked per character. */
const FLAGS = new Uint8Array(0x10000);
for (let i = 0; i < NO_LINE_START.length; i++) FLAGS[NO_LINE_START.charCodeAt(i)]! |= NO_START;
for (let i = 0; i < NO_LINE_END.length; i++) FLAGS[NO_LINE_END.charCodeAt(i)]! |= NO_END;

/** True when the code unit may not start a line. */
export const mayNotStartLine = (code: number): boolean => (FLAGS[code]! & NO_START) !== 0;

/** True when the code unit may not end a line. */
export const mayNotEndLine = (code: number): boolean => (FLAGS[code]! & NO_END) !== 0;

/** True when no break may fall between the two code units (nothing but them in between). */
export const noBreakBetween = (before: number, after: number): boolean => mayNotEndLine(before) || mayNotStartLine(after);
