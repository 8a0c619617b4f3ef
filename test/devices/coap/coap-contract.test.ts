// The transport contract over CoAP (the `coap` package's client against startCoapServer on a free UDP
// port), with a device token (`?t=`) and with a username and password (`?u=tenant/user&p=`).
// Redeliveries are real retransmissions: the same CON message (message id, token) sent again from
// another socket (as after a NAT rebinding), which the server recognises by address, id and token.
import { createHash } from 'node:crypto';
import { startCoapServer, type CoapServerHandle } from '../../../src/devices/transports/coap/coap-server.js';
import { transportContract, type TransportDriver } from '../transport-contract.js';
import { coapPost, credentialQuery, rawCoapPost } from './coap-driver.js';

function coapDriver(credential: 'token' | 'password'): TransportDriver {
  let server: CoapServerHandle | undefined;
  return {
    transport: 'coap',
    credential,
    refusesBadPayload: true,
    carriesMessageId: true,
    start: async (kit) => {
      server = await startCoapServer({ ingress: kit.devices.ingress, port: 0, host: '127.0.0.1' });
    },
    send: async ({ credential: c, payload, messageId }) => {
      const port = server?.port ?? 0;
      const query = credentialQuery(c);
      const answer =
        messageId === undefined
          ? await coapPost(port, query, payload)
          : await rawCoapPost(port, query, payload, ...idOf(messageId));
      return answer.code === '2.04' ? { acked: true } : { acked: false, code: answer.code };
    },
    stop: async () => {
      await server?.close();
    },
  };
}

/** A CoAP message id (16 bits) and token derived from the contract's message id. */
function idOf(messageId: string): [number, Buffer] {
  const h = createHash('sha256').update(messageId).digest();
  return [h.readUInt16BE(0), h.subarray(2, 6)];
}

transportContract(coapDriver('token'));
transportContract(coapDriver('password'));
