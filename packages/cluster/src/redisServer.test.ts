import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from './redisServer.js';

/** Sends one inline command and resolves with the raw reply once `until` matches it. */
function ask(port: number, command: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`));
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (until.test(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startRedisServer', () => {
  it('starts redis-server on a free loopback port with persistence off, and stops it by its PID', async () => {
    const redis = await startRedisServer();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ask(redis.port, 'PING', /\r\n/)).toBe('+PONG\r\n');
    expect(await ask(redis.port, 'CONFIG GET save', /save\r\n\$0\r\n/)).toContain('$0\r\n');
    expect(await ask(redis.port, 'CONFIG GET appendonly', /\r\nno\r\n/)).toContain('no');
    // Two at once get two ports.
    const other = await startRedisServer();
    expect(other.port).not.toBe(redis.port);
    await other.stop();
    await redis.stop();
    expect(alive(redis.pid)).toBe(false);
  });
});
