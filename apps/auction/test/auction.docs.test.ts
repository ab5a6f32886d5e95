import { AUCTION_ERROR_CODES } from '@twohop/auction/domain';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAuctionServer } from '../src/server/createAuctionServer.js';

const doc = readFileSync(new URL('../../../docs/apps/auction.md', import.meta.url), 'utf8');
const section = (from: string, to: string) =>
  doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from)));

describe('docs/apps/auction.md', () => {
  it('lists every code of the auction’s typed union in its error codes, and no other', () => {
    const table = section('### Error codes', '### Limits');
    const listed = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...AUCTION_ERROR_CODES].sort());
  });

  it('documents every request the server serves', async () => {
    const server = createAuctionServer();
    const table = section('| event | payload | cost | reply |', 'Server → client');
    for (const name of server.requestNames)
      expect(table).toMatch(new RegExp(`\\| \`${name}\` \\| [^|]+ \\| \\d \\|`));
    await server.close();
  });
});
