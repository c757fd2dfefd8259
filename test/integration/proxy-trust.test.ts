// test/integration/proxy-trust.test.ts: behind a local reverse proxy, rate limits apply per listener (X-Forwarded-For from loopback only).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';

describe('X-Forwarded-For', () => {
  it('is trusted from loopback, so each forwarded listener gets its own control rate limit', async () => {
    const s = await startTestServer({ scanner: 'sim' });
    try {
      const token = s.scanner?.token ?? '';
      const hold = (from: string) =>
        fetch(`${s.baseUrl}/api/scanner/hold`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-forwarded-for': from,
          },
          body: '{}',
        }).then((r) => r.status);
      const first: number[] = [];
      for (let i = 0; i < 15; i++) first.push(await hold('203.0.113.7'));
      assert.ok(first.includes(429), `one listener hits the limit: ${first.join(',')}`);
      assert.notEqual(
        await hold('198.51.100.9'),
        429,
        'another listener behind the same proxy does not',
      );
    } finally {
      await s.close();
    }
  });
});
