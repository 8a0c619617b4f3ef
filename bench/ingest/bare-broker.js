/**
 * The MQTT baseline of the ingest suite: a bare aedes broker in its own process (as Urbis runs in its
 * own), accepting every client and every PUBLISH with no processing, so the publish loop against it
 * shows what the publishers and the MQTT framing alone reach on this machine.
 * Usage: node bench/ingest/bare-broker.js <port>; prints "ready" when listening.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1) {
  process.stderr.write('usage: bare-broker.js <port>\n');
  process.exit(2);
}
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
const stop = () => server.close(() => broker.close(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
