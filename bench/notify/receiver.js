/**
 * The notification receiver of the `notify` suite, run as a child process
 * (`node bench/notify/receiver.js <port>`): a bare `node:http` server that reads each POSTed
 * notification, parses it and counts it and its `data` entries, and answers 204. `GET /count`
 * answers the counts, `POST /reset` zeroes them. The same server is the baseline: autocannon POSTs
 * a notification to it as fast as it can take them.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node bench/notify/receiver.js <port>');
  process.exit(2);
}
let notifications = 0;
let entries = 0;
let malformed = 0;
const ids = new Set();
let duplicates = 0;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/count') {
      const body = JSON.stringify({ notifications, entries, malformed, duplicates });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.url === '/reset') {
      notifications = entries = malformed = duplicates = 0;
      ids.clear();
      res.writeHead(204).end();
      return;
    }
    try {
      const n = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      notifications++;
      entries += Array.isArray(n.data) ? n.data.length : 0;
      // Notification ids are counted on /notify only: the baseline repeats one body on purpose.
      if (req.url === '/notify') {
        if (ids.has(n.id)) duplicates++;
        ids.add(n.id);
      }
    } catch {
      malformed++;
    }
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
