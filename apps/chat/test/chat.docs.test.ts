import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAT_ERROR_CODES } from '../src/domain/errors.js';
import { createChatServer } from '../src/server/createChatServer.js';

const doc = readFileSync(new URL('../../../docs/apps/chat.md', import.meta.url), 'utf8');

describe('docs/apps/chat.md', () => {
  it('lists every error code of the chat’s typed union, and no other', () => {
    const section = doc.slice(doc.indexOf('### Error codes'), doc.indexOf('## Delivery guarantees'));
    const listed = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...CHAT_ERROR_CODES].sort());
  });

  it('documents every request the server serves, with its cost', async () => {
    const server = createChatServer();
    const table = doc.slice(
      doc.indexOf('| event | payload | cost | reply |'),
      doc.indexOf('Server → client events'),
    );
    for (const [name, cost] of Object.entries(server.requestCosts))
      expect(table).toMatch(new RegExp(`\\| \`${name}\` \\| [^|]+ \\| ${cost} \\|`));
    await server.close();
  });
});
