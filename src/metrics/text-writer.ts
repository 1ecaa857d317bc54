import { formatValue } from './text-format';

const NEWLINE = 0x0a;

/**
 * TextWriter builds exposition text straight into a Buffer: kept lines are copied as bytes,
 * only values become (small) strings. A scrape's process metrics are some 6 KB of text;
 * built as JavaScript strings they cost 25 KB of young-generation garbage a scrape, and a
 * second copy when written to the socket.
 */
export class TextWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  bytes(bytes: Buffer): this {
    this.room(bytes.length);
    this.length += bytes.copy(this.buffer, this.length);
    return this;
  }

  text(text: string): this {
    this.room(Buffer.byteLength(text));
    this.length += this.buffer.write(text, this.length);
    return this;
  }

  /** line writes a value and ends the line. */
  line(value: number): this {
    this.text(formatValue(value));
    this.room(1);
    this.buffer[this.length++] = NEWLINE;
    return this;
  }

  /** done is what was written, without a copy. */
  done(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private room(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + size));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }
}
