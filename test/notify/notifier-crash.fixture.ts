/**
 * Fixture for the crash test (fault.test.ts): a process with the store and the notifier, as
 * `urbis serve` will hold them. `write <n>` commits n entity changes one by one (each matched to the
 * subscription, so each leaves an outbox entry) and prints `committed <i>` after each commit, then
 * keeps delivering; `deliver` only delivers, printing `drained` once the outbox is empty.
 * Usage: vite-node notifier-crash.fixture.ts <store file> <receiver URL> write <n> | deliver
 */
import { pino } from 'pino';
import { StaticNotificationSource } from '../../src/context/notify/static-source.js';
import { Notifier } from '../../src/context/notify/notifier.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { reactor, sensor, subscriptionTo, write } from './kit.js';

const [file, receiverUrl, mode, count] = process.argv.slice(2);
if (!file || !receiverUrl || (mode !== 'write' && mode !== 'deliver')) {
  console.error('usage: notifier-crash.fixture.ts <store file> <receiver URL> write <n> | deliver');
  process.exit(2);
}
const SUB = 'urn:ngsi-ld:Subscription:crash';
const store = openSqliteStore({ path: file });
const source = new StaticNotificationSource();
const subscription = subscriptionTo(SUB, `${receiverUrl}/notify`);
source.set('', subscription);
await store.subscriptions.put('', subscription);
store.setReactor(reactor(source, () => [SUB]));
// One entity per notification and two in flight: delivery is slower than writing, so a kill finds
// entries pending, in flight, and delivered.
const notifier = new Notifier({
  store,
  source,
  allowPrivateEndpoints: ['127.0.0.1'],
  // As `urbis serve` will pass it (errors go to stderr, which the test shows).
  logger: pino({ level: 'error' }, pino.destination(2)),
  delivery: {
    batchSize: 1,
    concurrencyPerEndpoint: 2,
    baseBackoffMs: 50,
    maxBackoffMs: 200,
    maxAttempts: 1000,
  },
});
await notifier.start();
process.once('SIGTERM', () => {
  void notifier
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});

if (mode === 'write') {
  for (let i = 0; i < Number(count); i++) {
    await write(store, [sensor(`urn:ngsi-ld:Sensor:${String(i).padStart(4, '0')}`, i)]);
    process.stdout.write(`committed ${i}\n`);
  }
} else {
  const poll = setInterval(() => {
    void store.outbox.size().then((n) => {
      if (n > 0) return;
      clearInterval(poll);
      process.stdout.write('drained\n');
    });
  }, 50);
}
// Keep delivering until killed.
setInterval(() => undefined, 60_000);
