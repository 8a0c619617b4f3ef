/**
 * The HTTP baseline: a bare `node:http` server answering every request with a small JSON body.
 * Run as a child process (`node bench/lib/hello-server.js <port>`), like the Urbis server, so
 * the two are driven the same way and share the machine the same way; the ratio of a figure to
 * this one is what the framework, parsing and store cost on top of Node's HTTP stack.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node bench/lib/hello-server.js <port>');
  process.exit(2);
}
const body = JSON.stringify({ hello: 'world' });
const server = createServer((req, res) => {
  // Drain any request body before answering, as a real handler would.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  // Idle keep-alive sockets of the load generator would otherwise hold close() open.
  server.closeAllConnections();
});
