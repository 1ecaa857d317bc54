import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * GzipPrefix is the start of a gzip body, compressed once and kept: its deflate blocks end
 * with a sync flush (byte-aligned, not final), so fresh data can follow in the same stream.
 */
export interface GzipPrefix {
  deflated: Buffer;
  crc: number;
  length: number;
}

// Magic, deflate, no flags, no time, no extra flags, OS "unknown".
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** gzipPrefix compresses the part of a body that stays the same between scrapes. */
export function gzipPrefix(data: Buffer): GzipPrefix {
  return {
    deflated: deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }),
    crc: crc32(data),
    length: data.length,
  };
}

/**
 * gzipJoin is one gzip member holding `prefix`'s data and then `rest`: the kept deflate
 * blocks, `rest` deflated on its own (its blocks refer to nothing before them, so they
 * may follow any byte-aligned block), and the trailer of the whole. A thousand accounts'
 * 2.5 MiB text is thus compressed once per change, and each scrape compresses only the
 * few KiB of process metrics. The result is a plain single-member gzip body, in chunks
 * to be written one after the other: the kept blocks are sent as they are, not copied.
 */
export function gzipJoin(prefix: GzipPrefix, rest: Buffer): Buffer[] {
  const trailer = Buffer.alloc(8);
  // Node 20's crc32 answers 0 for an empty buffer once zlib has deflated one (seen on
  // 20.20); the CRC of nothing more is the CRC so far, so it is not asked.
  const crc = rest.length > 0 ? crc32(rest, prefix.crc) : prefix.crc;
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((prefix.length + rest.length) % 2 ** 32, 4);
  return [HEADER, prefix.deflated, deflateRawSync(rest), trailer];
}
