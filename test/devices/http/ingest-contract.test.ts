// The transport contract over HTTP ingest (POST /ingest on a real socket), once with a device token
// (Bearer) and once with a username and password (Basic `city-a/username:password`).
import { transportContract, type TransportDriver } from '../transport-contract.js';
import { authorization, contentTypeOf, listen } from './http-driver.js';

function httpDriver(credential: 'token' | 'password'): TransportDriver {
  let base = '';
  return {
    transport: 'http',
    credential,
    refusesBadPayload: true,
    carriesMessageId: true,
    start: async (kit) => {
      base = await listen(kit.app);
    },
    send: async ({ credential: c, payload, messageId }) => {
      const res = await fetch(`${base}/ingest`, {
        method: 'POST',
        headers: {
          authorization: authorization(c),
          'content-type': contentTypeOf(payload),
          ...(messageId !== undefined ? { 'idempotency-key': messageId } : {}),
        },
        body: payload,
      });
      await res.arrayBuffer();
      return res.status === 204 ? { acked: true } : { acked: false, code: res.status };
    },
    // The contract closes the app (and with it the listening socket).
    stop: async () => undefined,
  };
}

transportContract(httpDriver('token'));
transportContract(httpDriver('password'));
