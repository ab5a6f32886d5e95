// crc-32 (SheetJS) is a small, dependency-free CRC32 that runs in Node and browsers alike.
import CRC32 from 'crc-32';

/**
 * CRC32 (IEEE) of a string's UTF-8 bytes, or of bytes, as an unsigned 32-bit integer — the checksum exchanges such
 * as Kraken and OKX put on book updates, and what the order book app computes over its top levels.
 */
export function crc32(input: string | Uint8Array): number {
  const signed = typeof input === 'string' ? CRC32.str(input) : CRC32.buf(input);
  return signed >>> 0;
}
