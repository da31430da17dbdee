/**
 * Where generated text ends. The grammar path stops at the JSON object's closing brace (the grammar would force
 * trailing newlines after it); the fast path's free-text rationale stops at its closing quote.
 */

export class JsonObjectEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  /** Characters consumed up to and including the top-level closing brace, once seen. */
  endIndex: number | null = null;
  private consumed = 0;

  push(text: string): boolean {
    for (const char of text) {
      this.consumed += char.length;
      if (this.endIndex !== null) continue;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') this.inString = false;
        continue;
      }
      if (char === '"') this.inString = true;
      else if (char === '{' || char === '[') {
        this.depth++;
        this.started = true;
      } else if (char === '}' || char === ']') {
        this.depth--;
        if (this.started && this.depth === 0) this.endIndex = this.consumed;
      }
    }
    return this.endIndex !== null;
  }
}

export function jsonObjectEnd(text: string): number | null {
  const tracker = new JsonObjectEnd();
  tracker.push(text);
  return tracker.endIndex;
}

/**
 * The inside of a JSON string being generated, fed token by token: ends at the first unescaped quote, or at a line
 * break (a one-sentence rationale that breaks the line is over, and a raw line break is invalid inside a JSON
 * string), or when `maxLength` code points are reached. `content` is the string's inside, without the quote.
 */
export class JsonStringEnd {
  content = '';
  private escaped = false;
  private length = 0;
  ended: 'quote' | 'newline' | 'length' | null = null;

  constructor(private readonly maxLength: number) {}

  push(text: string): boolean {
    for (const char of text) {
      if (this.ended !== null) break;
      if (this.escaped) {
        this.escaped = false;
      } else if (char === '\\') {
        this.escaped = true;
      } else if (char === '"') {
        this.ended = 'quote';
        break;
      } else if (char === '\n' || char === '\r') {
        this.ended = 'newline';
        break;
      }
      this.content += char;
      this.length++;
      if (this.length >= this.maxLength && !this.escaped) this.ended = 'length';
    }
    return this.ended !== null;
  }

  /** The content as a complete JSON string body: a dangling backslash (half an escape) is dropped. */
  closedContent(): string {
    return this.escaped ? this.content.slice(0, -1) : this.content;
  }
}
